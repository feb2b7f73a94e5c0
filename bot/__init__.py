"""Trusted Trader Assistant. One package per process (see README, "Where things live"):
core (shared facts) <- store (SQL) <- gateway / rasa_ext (what Rasa loads) <- ops (command line)."""
