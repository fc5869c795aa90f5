"""Every requirements file pins the same versions, so each way of installing runs the code the tests ran."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;#]+)")


def pins(path: Path) -> dict[str, str]:
    """Package → pinned version in a requirements file (its -r includes followed)."""
    found: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()  # pip reads a comment after an include too
        if line.startswith("-r "):
            found.update(pins(path.parent / line[3:].strip()))
        elif match := PIN.match(line):
            found[match[1].lower()] = match[2]
    return found


def test_the_linux_file_pins_the_products_packages_at_the_root_files_versions_with_the_cpu_build():
    root, linux = pins(ROOT / "requirements.txt"), pins(ROOT / "dashboard" / "requirements.txt")
    assert set(linux) == set(root) == {"torch", "streamlit", "pandas", "altair"}
    assert linux["torch"] == root["torch"] + "+cpu"  # PyTorch's CPU-only build of the very same version
    assert {k: v for k, v in linux.items() if k != "torch"} == {k: v for k, v in root.items() if k != "torch"}
    assert (
        "--extra-index-url https://download.pytorch.org/whl/cpu"
        in (ROOT / "dashboard" / "requirements.txt").read_text()
    )


def test_every_package_is_pinned_exactly_and_the_same_everywhere():
    files = [ROOT / "requirements.txt", ROOT / "requirements-dev.txt", ROOT / "requirements-dask.txt"]
    files.append(ROOT / "dashboard" / "requirements.txt")
    seen: dict[str, set[str]] = {}
    for path in files:
        for line in path.read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-"):
                assert PIN.match(line), f"{path.name}: {line!r} is not pinned with =="
        for package, version in pins(path).items():
            seen.setdefault(package, set()).add(version.removesuffix("+cpu"))
    disagreeing = {package: versions for package, versions in seen.items() if len(versions) > 1}
    assert not disagreeing, disagreeing


def test_the_readme_installs_from_the_files_it_names():
    readme = (ROOT / "README.md").read_text()
    assert "pip install -r dashboard/requirements.txt" in readme  # Linux: the CPU build
    assert "pip install -r requirements.txt" in readme  # macOS, Windows, and these test machines
    versions = set(re.findall(r"torch==([\d.]+)", readme))
    assert versions <= {pins(ROOT / "requirements.txt")["torch"]}, versions
