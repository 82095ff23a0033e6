"""Views of a dataset for people: the HTML batch report, the terminal view of one file
(`finsam inspect`) and the data dictionary in docs/dataset.md.

Nothing here changes a row. The HTML report (build.py) reads only a dataset directory —
its parquet files and manifest.json — so it can be made again for any dataset, old or
moved; its plots are drawn offline (plots.py) and its review queue (review.py) lists what
the machine was least sure of, for an archivist to check against the source.
"""
