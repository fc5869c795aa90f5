"""The engine imports torch and the standard library only, never the UI stack."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, pkgutil, sys
import torch
before = set(sys.modules)
import models
for module in pkgutil.walk_packages(models.__path__, "models."):
    if module.name != "models.__main__":
        __import__(module.name)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_models_imports_only_torch_and_the_standard_library():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    added = json.loads(result.stdout)
    top_level = {name.split(".")[0] for name in added}
    foreign = top_level - set(sys.stdlib_module_names) - {"models", "torch"}
    assert "models.trainer" in added and "models.cli" in added  # the walk really imported the engine
    assert foreign == set(), f"models/ pulled in {sorted(foreign)}"
