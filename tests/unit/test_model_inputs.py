"""The model hash (bot/ops/cli.py MODEL_INPUTS) covers what training uses, and only that."""

import ast
import shutil
from pathlib import Path

import yaml

from bot.ops.cli import MODEL_INPUTS, ROOT, model_hash


def _copy_of_the_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name in [*MODEL_INPUTS, "bot/rasa_ext/tracker_store.py", "bot/rasa_ext/rasa_process.py"]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / name)
    return root


def test_a_runtime_only_change_keeps_the_model_and_a_component_change_does_not(tmp_path):
    root = _copy_of_the_project(tmp_path)
    before = model_hash(root)
    for runtime_only in ("bot/rasa_ext/tracker_store.py", "bot/rasa_ext/rasa_process.py"):
        with open(root / runtime_only, "a") as file:
            file.write("\n# a runtime change\n")
    assert model_hash(root) == before
    with open(root / "bot/rasa_ext/nlu.py", "a") as file:
        file.write("\n# a change to the NLU components\n")
    assert model_hash(root) != before


def _covered(path: Path) -> bool:
    relative = path.relative_to(ROOT)
    return any(relative == Path(name) or Path(name) in relative.parents for name in MODEL_INPUTS)


def _project_imports(path: Path) -> set[Path]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            if name.split(".")[0] in ("bot", "policies"):
                found.add(ROOT / (name.replace(".", "/") + ".py"))
    return found


def test_the_custom_components_of_config_yml_and_what_they_import_are_model_inputs():
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    names = [item["name"] for item in config["pipeline"] + config["policies"] if "." in item["name"]]
    modules = {ROOT / (name.rsplit(".", 1)[0].replace(".", "/") + ".py") for name in names}
    assert modules  # the pipeline has custom components
    seen: set[Path] = set()
    while modules:
        module = modules.pop()
        seen.add(module)
        assert module.is_file(), module
        assert _covered(module), f"{module.relative_to(ROOT)} is used in training but not in MODEL_INPUTS"
        modules |= _project_imports(module) - seen
