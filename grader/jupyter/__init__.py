"""Jupyter and nbgrader: notebooks generated from the sources, and graded by the same checks."""
