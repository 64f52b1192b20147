"""Shared ground of every stage: the record table, errors, text patterns, names and labels."""
