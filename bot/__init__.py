"""Trusted Trader Assistant: gateway, Rasa channel, NLU components and command line."""
