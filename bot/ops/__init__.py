"""Command-line work around the assistant: supervision of `make run`, evaluation and reports."""
