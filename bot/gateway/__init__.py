"""The aiohttp gateway (bot/web.py and bot/agent_api.py move here with the restructuring)."""
