"""Rasa's training cache must notice when our components' code changes.

Rasa keys a cached component on its config, its inputs and `inspect.getsource` of the component's
own class: not of its base classes, nor of the functions and modules that class calls. A change to
LinearTopicClassifier's code therefore left LinearAnswerSelector's (its subclass) cache key as it
was, and training restored a selector stored by the old code, which the new code could not read
(every question then failed with a 500; bench of 2026-12-02). Each of our components adds the source
of every module of ours it is built from to its key (`fingerprint_addon`, Rasa's hook for this).
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar, Dict, Iterable, List, Optional

from bot.core.paths import ROOT


def own_modules(roots: Iterable[ModuleType], project: Path = ROOT) -> List[ModuleType]:
    """`roots` and every module of the project they use, directly or not (the modules of the
    classes, functions and modules their globals hold), sorted by name. Installed packages
    (under the project's virtual environment or elsewhere) are not followed."""

    def is_own(module: Optional[ModuleType]) -> bool:
        file = getattr(module, "__file__", None)
        if not file:
            return False
        path = Path(file).resolve()
        return path.is_relative_to(project) and not any(part in (".venv", "site-packages") for part in path.parts)

    found: Dict[str, ModuleType] = {}
    waiting = [m for m in roots if is_own(m)]
    while waiting:
        module = waiting.pop()
        if module.__name__ in found:
            continue
        found[module.__name__] = module
        for value in vars(module).values():
            used = value if isinstance(value, ModuleType) else sys.modules.get(getattr(value, "__module__", "") or "")
            if used is not None and used.__name__ not in found and is_own(used):
                waiting.append(used)
    return [found[name] for name in sorted(found)]


def modules_of(component: type, extra_modules: Iterable[str] = (), project: Path = ROOT) -> List[ModuleType]:
    """Every project module `component` is built from: those of its classes (its own and its
    bases'), what they use, and `extra_modules` (by name, imported)."""
    roots = [sys.modules[klass.__module__] for klass in component.__mro__ if klass.__module__ in sys.modules]
    roots += [importlib.import_module(name) for name in extra_modules]
    return own_modules(roots, project)


def code_digest(component: type, extra_modules: Iterable[str] = (), project: Path = ROOT) -> str:
    """A digest of the source of `modules_of(component, extra_modules)`."""
    digest = hashlib.sha256()
    for module in modules_of(component, extra_modules, project):
        digest.update(module.__name__.encode() + b"\0")
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


class CodeFingerprinted:
    """Mixin for our Rasa components: the training cache's key covers the code they are built from
    (see the module's docstring). `fingerprinted_modules` names modules that shape the component's
    output without being imported by it (the builder of data files it loads)."""

    fingerprinted_modules: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return code_digest(cls, cls.fingerprinted_modules)
