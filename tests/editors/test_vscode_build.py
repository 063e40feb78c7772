"""The README's "only the package" commands build the VS Code extension in a fresh clone.

The clone is of this repository's committed HEAD (what CI tests). ``npm ci`` downloads the
extension's pinned packages from the npm registry, and ``pip wheel`` its build backend from PyPI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.editors.readme_snippets import README, snippets

pytestmark = pytest.mark.network_download

REPO = README.parent


def package_commands() -> tuple[str, str]:
    """The README's build line and the path its install line installs (relative to the build)."""
    (install,) = [
        s
        for s in snippets()
        if s.heading == "Install" and s.language == "sh" and "# or only the package" in s.text
    ]
    lines = install.text.split("# or only the package", 1)[1].splitlines()[1:]
    build = [line for line in lines if line.startswith("cd editors/vscode")]
    installs = [line for line in lines if line.startswith("code --install-extension ")]
    assert len(build) == 1 and len(installs) == 1, install.text
    return build[0], installs[0].removeprefix("code --install-extension ").strip()


def test_readme_package_commands_work_in_a_fresh_clone(tmp_path: Path) -> None:
    for program in ("git", "npm", "node"):
        if shutil.which(program) is None:
            pytest.skip(f"{program} is not installed: the VS Code build needs it")
    build, vsix_path = package_commands()
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True, timeout=120)
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "npm_config_cache": str(tmp_path / "npm-cache"),
        "npm_config_audit": "false",
        "npm_config_fund": "false",
        "npm_config_update_notifier": "false",
    }
    done = subprocess.run(
        ["bash", "-euc", build],
        cwd=clone,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"{build}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"

    # The install line's path is relative to editors/vscode, where the build line ends up.
    vsix = (clone / "editors/vscode" / vsix_path).resolve()
    version = json.loads((clone / "editors/vscode/package.json").read_text())["version"]
    assert vsix == clone / "test-artifacts" / f"howto-ls-{version}.vsix"
    assert (clone / "test-artifacts").is_dir()
    names = set(zipfile.ZipFile(vsix).namelist())
    assert {"extension/package.json", "extension/dist/extension.js"} <= names
    assert any(n.startswith("extension/bundled/howto_ls-") for n in names), sorted(names)
    # Everything the build wrote is ignored by git: the clone stays clean.
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
