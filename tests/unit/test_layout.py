"""The tree shows the architecture (design.md, "Layout"): one package per process, and imports
that run one way, ops -> gateway / actions / rasa_ext / policies -> store -> core."""

import ast
from pathlib import Path

import pytest

from bot.core.paths import ROOT

# Lower number = lower layer. A module may import its own package and lower layers only; the
# packages of one layer (three processes and the policies Rasa loads) never import each other.
LAYERS = {
    "bot.core": 0,
    "bot.store": 1,
    "bot.gateway": 2,
    "bot.rasa_ext": 2,
    "actions": 2,
    "policies": 2,
    "bot.ops": 3,
}


def package_of(module: str):
    for package in sorted(LAYERS, key=len, reverse=True):
        if module == package or module.startswith(package + "."):
            return package
    return None


def our_modules():
    for top in ("bot", "actions", "policies"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "static" in path.parts:
                continue
            yield ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"), path


def imports_of(module: str, path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = module.split(".")[: -node.level or None]
                if path.name == "__init__.py":
                    base = module.split(".")[: len(module.split(".")) - node.level + 1]
                yield ".".join(base + ([node.module] if node.module else []))
            elif node.module:
                yield node.module
                yield from (f"{node.module}.{alias.name}" for alias in node.names)


MODULES = list(our_modules())


def test_every_module_belongs_to_a_package_of_the_layout():
    loose = [m for m, _ in MODULES if m not in ("bot",) and package_of(m) is None]
    assert loose == [], "put these in bot/core, bot/store, bot/gateway, bot/rasa_ext or bot/ops"


@pytest.mark.parametrize("module,path", MODULES, ids=[m for m, _ in MODULES])
def test_imports_run_one_way(module, path):
    own = package_of(module)
    if own is None:
        return
    against = sorted(
        {
            imported
            for imported in imports_of(module, path)
            if (target := package_of(imported)) is not None and target != own and LAYERS[target] >= LAYERS[own]
        }
    )
    assert against == [], f"{module} ({own}) imports against the direction: {against}"
