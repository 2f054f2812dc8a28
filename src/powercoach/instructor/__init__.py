"""The instructor's side: grading, item analysis, the bank's quality figures and benchmarks.

This code ships with the package but holds no answers: everything it marks against is read
from the instructor's ``key/`` folder in the course folder (see ``powercoach.key``).
"""
