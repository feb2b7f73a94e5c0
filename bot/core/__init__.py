"""Shared facts with no process of their own (imports nothing from the process packages)."""
