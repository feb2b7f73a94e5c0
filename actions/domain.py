"""The domain the actions read: Rasa sends none (`enable_selective_domain`, bot/rasa_ext/endpoints.py).

Rasa would JSON-encode the whole domain (about 300 KB) into every call to the action server, and
the action server decode it: several milliseconds of CPU a call, for the same content every time.
The action server reads it once, at start, from domain/: the files the served model was trained
from (`make run` trains again when they change), with Rasa's own loader, so it is the dictionary
Rasa would have sent.
"""

from __future__ import annotations

import functools
import warnings

from rasa_sdk.types import DomainDict

from bot.core.paths import ROOT


@functools.lru_cache(maxsize=1)
def loaded_domain() -> DomainDict:
    from rasa.shared.core.domain import Domain  # the domain format's own loader: merging, defaults, checks

    with warnings.catch_warnings():
        # Said on every load of a 3.x domain with slot mappings; training already shows Rasa's warnings.
        warnings.filterwarnings("ignore", message="Slot auto-fill has been removed")
        return Domain.load(str(ROOT / "domain")).as_dict()


def domain_or_loaded(sent: DomainDict) -> DomainDict:
    """What Rasa sent, or, when it sent none, the domain read from domain/."""
    return sent or loaded_domain()
