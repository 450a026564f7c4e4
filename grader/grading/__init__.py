"""Grading one submission: the engine (submission.py), the student's sandboxed process, the snapshot of what was handed in, the comparisons and tolerances, the strategies, the results and reports."""
