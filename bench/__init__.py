"""Benchmarks of QMS Tracker: `python -m bench.run`."""
