"""Reorganisations: merges, splits, renames and moves of units on an effective date, with the
predecessors' figures carried to their successors (see service.py and carry.py)."""
