"""The one place SQL lives (see docs: design.md "Layout"). New queries go here; the older
ones still live in bot/store/queries.py until the restructuring moves them."""
