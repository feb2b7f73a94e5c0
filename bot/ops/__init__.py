"""Command-line work around the assistant: evaluation and reports."""
