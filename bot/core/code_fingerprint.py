"""Rasa's training cache must notice when our components' code changes.

Rasa keys a cached component on its config, its inputs and `inspect.getsource` of the component's
own class: not of its base classes, nor of the functions and modules that class calls. A change to
LinearTopicClassifier's code therefore left LinearAnswerSelector's (its subclass) cache key as it
was, and training restored a selector stored by the old code, which the new code could not read
(every question then failed with a 500; bench of 2026-12-02). Each of our components adds the source
of every module of ours it is built from to its key (`fingerprint_addon`, Rasa's hook for this).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

from bot.core.paths import ROOT


def imported_names(module: ModuleType) -> list[str]:
    """The modules `module`'s source imports, anywhere in it (inside functions too), by full name;
    for `from package import name`, both the package and `package.name` (which may be a module)."""
    source = inspect.getsource(module)
    package = module.__name__ if hasattr(module, "__path__") else module.__name__.rpartition(".")[0]
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return names


def own_modules(roots: Iterable[ModuleType], project: Path = ROOT) -> list[ModuleType]:
    """`roots` and every module of the project they import, directly or not (constants and
    imports inside functions included: read from the source, not from what the module holds),
    sorted by name. Installed packages (under the project's virtual environment or elsewhere) are
    not followed."""

    def is_own_path(path: Path) -> bool:
        path = path.resolve()
        return path.is_relative_to(project) and not any(part in (".venv", "site-packages") for part in path.parts)

    def is_own(module: ModuleType | None) -> bool:
        file = getattr(module, "__file__", None)
        return isinstance(file, str) and is_own_path(Path(file))

    @functools.cache
    def own_top_level(name: str) -> bool:
        """Whether a top-level module or package is the project's, found without importing it."""
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return False
        places = [spec.origin] if spec and spec.origin else list(spec.submodule_search_locations or []) if spec else []
        return any(is_own_path(Path(place)) for place in places)

    def own_module(name: str) -> ModuleType | None:
        if not name or not own_top_level(name.split(".")[0]):
            return None
        try:
            module = importlib.import_module(name)
        except ImportError:  # `package.name` where the name is not a module
            return None
        return module if is_own(module) else None

    waiting = [m for m in roots if is_own(m)]
    found: dict[str, ModuleType] = {}
    while waiting:
        module = waiting.pop()
        if module.__name__ in found:
            continue
        found[module.__name__] = module
        for name in imported_names(module):
            used = own_module(name)
            if used is not None and used.__name__ not in found:
                waiting.append(used)
    return [found[name] for name in sorted(found)]


def modules_of(component: type, extra_modules: Iterable[str] = (), project: Path = ROOT) -> list[ModuleType]:
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
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return code_digest(cls, cls.fingerprinted_modules)
