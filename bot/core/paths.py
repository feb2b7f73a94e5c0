"""Where the project keeps things. Everything generated lives under var/ and models/."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"
MODELS = ROOT / "models"
SPACY_DIR = VAR / "spacy"  # blank en/fr pipelines built by `python -m bot.ops.cli build-spacy`
