"""bench/run.py's parts, by concern: targets.py (what runs, one timed run), serving.py
(the tensorboard target), limits.py (summaries and goals), output.py (tables, report)."""
