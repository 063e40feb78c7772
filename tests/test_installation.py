"""Installation folders and the installed project a file belongs to, on real installs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from howto_ls.installation import installed_project, is_installation_folder
from tests import wheels


def test_site_packages_and_dist_packages_are_installation_folders(tmp_path: Path) -> None:
    assert is_installation_folder(tmp_path / "lib" / "python3.12" / "site-packages")
    assert is_installation_folder(Path("/usr/lib/python3/dist-packages"))
    assert not is_installation_folder(tmp_path / "packages")


def test_a_sys_path_entry_is_one_when_pip_installed_into_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target, plain = tmp_path / "target", tmp_path / "plain"
    wheel = wheels.build_wheel(tmp_path, "tinything", "2.0", {"tinything/__init__.py": ""})
    wheels.pip_install(wheel, target=target)
    plain.mkdir()
    assert (target / "tinything-2.0.dist-info" / "RECORD").is_file()
    assert not is_installation_folder(target)  # not where Python imports from
    monkeypatch.setattr(sys, "path", [*sys.path, str(target), str(plain)])
    assert is_installation_folder(target)
    assert not is_installation_folder(plain)  # on sys.path, but nothing was installed there


def test_the_installed_project_is_the_top_level_package(tmp_path: Path) -> None:
    for package in ("pkg", "pkg/sub", "ns/inner", "ns/inner/deep", "ns/loose"):
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
    for init in ("pkg", "pkg/sub", "ns/inner", "ns/inner/deep"):
        (tmp_path / init / "__init__.py").write_text("", encoding="utf-8")
    assert installed_project(tmp_path / "pkg" / "sub", tmp_path) == tmp_path / "pkg"
    assert (
        installed_project(tmp_path / "ns" / "inner" / "deep", tmp_path) == tmp_path / "ns" / "inner"
    )
    assert installed_project(tmp_path / "ns" / "loose", tmp_path) == tmp_path / "ns"
    assert installed_project(tmp_path, tmp_path) == tmp_path  # a top-level module's folder
