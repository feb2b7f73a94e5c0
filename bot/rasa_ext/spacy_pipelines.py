"""Builds the blank English and French spaCy pipelines the NLU tokenizer loads.

Pretrained spaCy models download from outside the package registry, so we build blank
pipelines with the lookup lemmatizer whose tables ship in spacy-lookups-data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.core.paths import SPACY_DIR

LANGUAGES = ("en", "fr")


def built(target: Path = SPACY_DIR) -> bool:
    """Both pipelines are on disk (cheap: `bot.ops.cli serve` checks this without importing spaCy)."""
    return all((target / lang / "config.cfg").exists() for lang in LANGUAGES)


def build(target: Path = SPACY_DIR) -> None:
    import spacy  # here, not at the top: spaCy brings TensorFlow (about 450 MB) with it

    target.mkdir(parents=True, exist_ok=True)
    for lang in LANGUAGES:
        out = target / lang
        if (out / "config.cfg").exists():
            continue
        nlp = spacy.blank(lang)
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()  # loads the lookup table from spacy-lookups-data
        tmp = target / f".{lang}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        nlp.to_disk(tmp)
        tmp.rename(out)
        print(f"spaCy pipeline '{lang}' built in {out}")
