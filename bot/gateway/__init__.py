"""The aiohttp gateway (design.md "Layout"). New gateway modules go here; web.py, agent_api.py
and pages.py move here with the restructuring."""
