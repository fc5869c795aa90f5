"""The engine imports torch and the standard library only, never the UI stack; the run service adds only the
engine; a training process imports neither the app nor the UI stack."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, pkgutil, sys
import torch
before = set(sys.modules)
import {package}
for module in pkgutil.walk_packages({package}.__path__, "{package}."):
    if module.name not in ("models.__main__", "runs.forkserver_preload"):
        __import__(module.name)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def imported_by(package: str) -> list[str]:
    """Every module importing all of `package` adds, in a fresh interpreter that has imported torch."""
    probe = PROBE.format(package=package)
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_models_imports_only_torch_and_the_standard_library():
    added = imported_by("models")
    foreign = {name.split(".")[0] for name in added} - set(sys.stdlib_module_names) - {"models", "torch"}
    assert "models.trainer" in added and "models.cli" in added  # the walk really imported the engine
    assert foreign == set(), f"models/ pulled in {sorted(foreign)}"


def test_the_run_service_imports_only_the_engine_and_the_standard_library():
    added = imported_by("runs")
    foreign = {name.split(".")[0] for name in added} - set(sys.stdlib_module_names) - {"runs", "models", "torch"}
    assert "runs.hub" in added and "runs.process" in added
    assert foreign == set(), f"runs/ pulled in {sorted(foreign)}"


def report_modules(connection) -> None:
    """A forkserver child's target: send back the modules this process has loaded."""
    connection.send(sorted(sys.modules))


def test_a_training_process_imports_neither_the_app_nor_the_ui_stack(monkeypatch):
    """Under `streamlit run`, `__main__` is the app: a training process must not run it (nor import streamlit)."""
    import types

    from runs import process as remote

    app = types.ModuleType("__main__")
    app.__file__ = str(ROOT / "dashboard" / "app.py")  # what Streamlit installs while a page's script runs
    monkeypatch.setitem(sys.modules, "__main__", app)
    process, connection = remote.launch(report_modules)
    try:
        assert connection.poll(60), "the child did not answer"
        loaded = set(connection.recv())
    finally:
        process.join(10)
    assert "models.trainer" in loaded and "torch" in loaded  # the forkserver's preload: a trainer starts at once
    foreign = {name.split(".")[0] for name in loaded} & {"streamlit", "pandas", "altair", "dashboard"}
    assert foreign == set(), f"a training process imported {sorted(foreign)}"
