"""Imported by the forkserver of a batch no file of which can need Tesseract, or that runs
several workers: what cleaning and extracting need is loaded there once, before the
workers are forked (forkserver.py)."""

from pipeline.runner import warm

warm.quietly()
