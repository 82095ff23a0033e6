"""Batch over files: find the inputs, run the stages on each file, write the dataset.

inputs.py finds the files of a run and stages.py runs the stages on one of them. The rest
runs many files: work.py is what a worker does with one file, executors.py, pool.py and
dask_executor.py are the three ways of running that (in this process, in local worker
processes, on a Dask cluster), forkserver.py starts the local workers' parent early,
pages.py spreads the OCR pages of one long scan over idle cores, and batch.py ties a run
together: what the manifest says can be reused, the files in flight, and the dataset
written as results come in.

This file imports nothing, so that `finsam convert` can start the forkserver (forkserver.py)
before it imports the stages.
"""
