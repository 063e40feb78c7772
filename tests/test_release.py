"""The release: one version for the package and the VS Code extension, and an sdist and a wheel
built from this repository (``python -m build``) that hold what runs, install into a fresh
virtualenv and run ``howto-ls`` from there."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

import howto_ls

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
VSCODE = ROOT / "editors" / "vscode"
LEFT_BEHIND = (".git", "node_modules", "*.egg-info", "build", "dist", "out", "test-artifacts")
LEFT_BEHIND += ("__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis")
HEADING = "How to Use This Code Block"
SAMPLE = """def greet(name: str, punctuation: str = "!") -> str:
    return "Hello, " + name + punctuation
"""


def _without_checkout() -> dict[str, str]:
    """This process's environment without ``PYTHONPATH``: pip would take the checkout on it
    (its ``howto_ls.egg-info``) for an installed howto-ls."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}


def _run(command: list[str | Path], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """``command`` with an environment that cannot reach this checkout (no ``PYTHONPATH``) nor a
    model (offline backend); never raises on a non-zero exit."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd),
        "HOWTO_BACKEND": "offline",
        "HOWTO_CACHE": "off",
    }
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_package_extension_and_changelog_share_one_version() -> None:
    version = howto_ls.__version__
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"], "the version lives in howto_ls/__init__.py only"
    assert "version" in project["project"]["dynamic"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "howto_ls.__version__"}

    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((VSCODE / "package-lock.json").read_text(encoding="utf-8"))
    assert manifest["version"] == version, "editors/vscode/package.json"
    assert lock["version"] == version, "editors/vscode/package-lock.json"
    assert lock["packages"][""]["version"] == version, "editors/vscode/package-lock.json"

    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"\n## {version} - " in changelog, "CHANGELOG.md has no entry for this version"


VERSIONED_NAMES = re.compile(
    r"howto_ls-(?P<wheel>[^-\s]+)-py3-none-any\.whl"
    r"|howto-ls-(?P<vsix>\d[^\s/]*?)\.vsix"
    r"|howto-ls@v(?P<tag>\d[\w.]*)"
)


@pytest.mark.parametrize("name", ["README.md", "docs/ci.md", "docs/vscode.md"])
def test_documented_file_names_carry_the_version(name: str) -> None:
    """The wheel, the ``.vsix`` and the release tag the install instructions name."""
    text = (ROOT / name).read_text(encoding="utf-8")
    found = [next(v for v in match.groups() if v) for match in VERSIONED_NAMES.finditer(text)]
    assert found or name != "README.md"
    assert set(found) <= {howto_ls.__version__}, f"{name} names another version: {set(found)}"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder ``python -m build`` wrote the sdist and the wheel into: the sdist from the
    repository, the wheel from the sdist (so the sdist must hold what the wheel needs). Without
    build isolation, so offline: setuptools comes from the ``dev`` extra."""
    # A copy without what earlier builds and tools left (howto_ls.egg-info would hand setuptools
    # the file list of a previous build), as a fresh clone has it.
    source = tmp_path_factory.mktemp("source") / "howto-ls"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*LEFT_BEHIND))
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return out


def _one(folder: Path, pattern: str) -> Path:
    (found,) = folder.glob(pattern)
    return found


def test_wheel_holds_the_package_its_data_and_nothing_else(dist: Path) -> None:
    version = howto_ls.__version__
    wheel = _one(dist, f"howto_ls-{version}-py3-none-any.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    sources = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "howto_ls").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert "howto_ls/prompts/system.md" in sources
    assert "howto_ls/py.typed" in sources
    assert sources <= names, f"not in the wheel: {sorted(sources - names)}"
    info = f"howto_ls-{version}.dist-info"
    assert {f"{info}/METADATA", f"{info}/entry_points.txt", f"{info}/licenses/LICENSE"} <= names
    assert {name.split("/")[0] for name in names} == {"howto_ls", info}

    with zipfile.ZipFile(wheel) as archive:
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        metadata = archive.read(f"{info}/METADATA").decode()
    assert "howto-ls = howto_ls.cli:main" in entry_points
    assert f"\nVersion: {version}\n" in metadata
    assert "\nLicense-Expression: MIT\n" in metadata


def test_sdist_holds_what_builds_the_wheel_and_no_tests(dist: Path) -> None:
    version = howto_ls.__version__
    top = f"howto_ls-{version}"
    with tarfile.open(_one(dist, f"{top}.tar.gz")) as archive:
        names = {name.removeprefix(f"{top}/") for name in archive.getnames()}
    expected = {"pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", "PKG-INFO"}
    expected |= {"howto_ls/prompts/system.md", "howto_ls/prompts/user.md", "howto_ls/py.typed"}
    assert expected <= names, sorted(expected - names)
    tops = {name.split("/")[0] for name in names}
    assert not tops & {"tests", "editors", "examples", "benchmarks", "docs", ".ci"}, tops
    assert not any("__pycache__" in name or "node_modules" in name for name in names)


def _check_installed(environment: Path, project: Path) -> None:
    """``howto-ls`` of ``environment`` runs from its own site-packages: the version, and the
    offline guide of a function in a small file in ``project``."""
    python = environment / "bin" / "python"
    where = _run([python, "-c", "import howto_ls; print(howto_ls.__file__)"], project, 60)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(environment), where.stdout

    command = environment / "bin" / "howto-ls"
    version = _run([command, "--version"], project, 60)
    assert version.stdout.strip() == f"howto-ls {howto_ls.__version__}", version

    (project / "greeting.py").write_text(SAMPLE, encoding="utf-8")
    guide = _run([command, "doc", "greeting.py::greet", "--backend", "offline"], project, 120)
    assert guide.returncode == 0, guide.stderr
    assert guide.stdout.startswith(HEADING + "\n"), guide.stdout
    assert "from greeting import greet" in guide.stdout
    assert (project / "greeting.py").read_text(encoding="utf-8") == SAMPLE


def test_wheel_runs_from_a_fresh_virtualenv(dist: Path, tmp_path: Path) -> None:
    """The wheel alone (``--no-deps``, no index); its dependencies come from this interpreter's
    site-packages (``--system-site-packages``), so nothing is downloaded."""
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=False, system_site_packages=True)
    # --force-reinstall: the howto-ls this interpreter runs the tests with (an editable install
    # of the checkout) would otherwise count as installed; pip leaves that one alone.
    command = [sys.executable, "-m", "pip", "--python", str(environment / "bin" / "python")]
    command += ["install", "--no-index", "--no-deps", "--force-reinstall", "--quiet"]
    command += ["--disable-pip-version-check", str(_one(dist, "howto_ls-*.whl"))]
    installed = subprocess.run(
        command, env=_without_checkout(), capture_output=True, text=True, timeout=120, check=False
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    project = tmp_path / "project"
    project.mkdir()
    _check_installed(environment, project)


@pytest.mark.network_download
def test_wheel_installs_its_declared_dependencies_into_an_empty_virtualenv(
    dist: Path, tmp_path: Path
) -> None:
    """No site-packages but its own: pip fetches what the wheel's metadata declares, so a
    dependency missing from ``pyproject.toml`` fails here."""
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=False)
    wheel = _one(dist, "howto_ls-*.whl")
    command = [sys.executable, "-m", "pip", "--python", str(environment / "bin" / "python")]
    command += ["install", "--quiet", "--disable-pip-version-check", str(wheel)]
    installed = subprocess.run(
        command, env=_without_checkout(), capture_output=True, text=True, timeout=300, check=False
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    project = tmp_path / "project"
    project.mkdir()
    _check_installed(environment, project)
