"""Project layout: root discovery, module names and what counts as project code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from howto_ls import examples_run
from howto_ls.offline import index
from howto_ls.project import (
    find_root,
    import_folders,
    is_in_project,
    lies_under,
    module_file,
    module_name,
    platform_condition,
)
from tests import wheels


def touch(path: Path, text: str = "") -> Path:
    """Create ``path`` with its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("marker", ["pyproject.toml", "setup.py", "setup.cfg", ".git"])
def test_find_root_stops_at_nearest_marker(tmp_path: Path, marker: str) -> None:
    touch(tmp_path / "outer" / "pyproject.toml")
    inner = tmp_path / "outer" / "inner"
    (inner / marker).parent.mkdir(parents=True, exist_ok=True)
    if marker == ".git":
        (inner / marker).mkdir()
    else:
        touch(inner / marker)
    source = touch(inner / "pkg" / "sub" / "mod.py")
    assert find_root(source) == inner.resolve()
    assert find_root(source.parent) == inner.resolve()


def test_find_root_without_marker_ignores_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loose = touch(tmp_path / "loose" / "x.py")
    packaged = touch(tmp_path / "scripts" / "pkg" / "sub" / "mod.py")
    touch(tmp_path / "scripts" / "pkg" / "__init__.py")
    touch(tmp_path / "scripts" / "pkg" / "sub" / "__init__.py")
    for cwd in (tmp_path / "elsewhere", tmp_path / "loose", Path("/")):
        cwd.mkdir(exist_ok=True)
        monkeypatch.chdir(cwd)
        assert find_root(loose) == (tmp_path / "loose").resolve()
        assert find_root(packaged) == (tmp_path / "scripts").resolve()
        assert module_name(packaged, find_root(packaged)) == "pkg.sub.mod"


def test_doc_import_path_is_the_same_from_any_working_directory(tmp_path: Path) -> None:
    tool = touch(tmp_path / "x" / "loose" / "tool.py", "def slugify(text):\n    return text\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HOWTO_BACKEND": "offline"}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    paths = set()
    for cwd in (Path("/"), tool.parent, tmp_path):
        result = subprocess.run(
            [sys.executable, "-m", "howto_ls", "doc", f"{tool}::slugify", "--json"],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=env,
            check=True,
        )
        paths.add(json.loads(result.stdout)["import_path"])
    assert paths == {"tool"}


def test_module_name_flat_package_and_init(tmp_path: Path) -> None:
    touch(tmp_path / "pyproject.toml")
    assert module_name(touch(tmp_path / "tool.py"), tmp_path) == "tool"
    assert module_name(touch(tmp_path / "pkg" / "__init__.py"), tmp_path) == "pkg"
    assert module_name(touch(tmp_path / "pkg" / "sub" / "mod.py"), tmp_path) == "pkg.sub.mod"


def test_module_name_src_layout(tmp_path: Path) -> None:
    source = touch(tmp_path / "src" / "pkg" / "mod.py")
    assert module_name(source, tmp_path) == "pkg.mod"
    assert module_name(touch(tmp_path / "src" / "pkg" / "__init__.py"), tmp_path) == "pkg"


def test_module_name_of_installed_package() -> None:
    client = Path(httpx.__file__).parent / "_client.py"
    assert module_name(client, Path.cwd()) == "httpx._client"
    assert module_name(Path(httpx.__file__), Path.cwd()) == "httpx"


def test_module_name_inside_a_virtualenv_in_the_project(tmp_path: Path) -> None:
    venv_file = touch(tmp_path / ".venv" / "lib" / "python3.11" / "site-packages" / "a" / "b.py")
    assert module_name(venv_file, tmp_path) == "a.b"


def test_module_name_from_sys_path_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = tmp_path / "lib"
    source = touch(library / "extra" / "thing.py")
    monkeypatch.setattr(sys, "path", [*sys.path, str(library)])
    assert module_name(source, tmp_path / "project") == "extra.thing"


def test_is_in_project(tmp_path: Path) -> None:
    root = tmp_path / "project"
    assert is_in_project(touch(root / "pkg" / "mod.py"), root)
    assert not is_in_project(touch(tmp_path / "other" / "mod.py"), root)
    assert not is_in_project(touch(root / ".venv" / "lib" / "x.py"), root)
    assert not is_in_project(touch(root / "lib" / "site-packages" / "x.py"), root)
    assert not is_in_project(touch(root / "deb" / "dist-packages" / "x.py"), root)
    touch(root / "env" / "pyvenv.cfg")
    assert not is_in_project(touch(root / "env" / "lib" / "y.py"), root)


def test_a_definition_made_only_under_a_platform_condition_names_it() -> None:
    source = (
        "import os\n"
        "import sys\n\n"
        "if sys.platform == 'win32':\n"
        "    def registry(host):\n"
        "        return host\n\n"
        "    def bypass(host):\n"
        "        return registry(host)\n"
        "else:\n"
        "    def bypass(host):\n"
        "        return False\n\n"
        "if os.name != 'nt':\n"
        "    pass\n"
        "else:\n"
        "    class Console:\n"
        "        def write(self):\n"
        "            pass\n\n"
        "if __debug__:\n"
        "    def checked():\n"
        "        pass\n"
    )
    assert platform_condition(source, "registry") == "sys.platform == 'win32'"
    assert platform_condition(source, "Console.write") == "not (os.name != 'nt')"
    assert platform_condition(source, "bypass") is None  # both branches define it
    assert platform_condition(source, "checked") is None  # not a platform test
    assert platform_condition(source, "absent") is None


def test_lies_under_follows_links_and_refuses_what_cannot_be_resolved(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "pkg").mkdir(parents=True)
    module = root / "pkg" / "mod.py"
    module.write_text("x = 1\n", encoding="utf-8")
    outside = tmp_path / "elsewhere.py"
    outside.write_text("y = 2\n", encoding="utf-8")
    (root / "pkg" / "linked.py").symlink_to(outside)
    (root / "loop.py").symlink_to(root / "loop.py")
    assert lies_under(module, root)
    assert lies_under(root / "pkg" / "missing.py", root)  # need not exist yet
    assert not lies_under(outside, root)
    assert not lies_under(root / "pkg" / "linked.py", root)  # the link leads out
    assert not lies_under(root / "loop.py", root)


INSTALLED = {
    "tinykit/__init__.py": "",
    "tinykit/core.py": (
        "class Thing:\n"
        '    """A named thing."""\n\n'
        "    def __init__(self, name: str) -> None:\n"
        "        self.name = name\n"
    ),
    "tinykit/sub/__init__.py": "",
    "tinykit/sub/use.py": (
        "from tinykit.core import Thing\n\n\n"
        "def make(name: str) -> Thing:\n"
        '    """A thing called ``name``."""\n'
        "    return Thing(name)\n"
    ),
    "tinyns/part/__init__.py": "",
    "tinyns/part/x.py": "def x() -> int:\n    return 1\n",
    "tinymod.py": "def one() -> int:\n    return 1\n",
}


@pytest.fixture(scope="module")
def site_packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site-packages of a fresh virtualenv that pip installed the ``tinykit`` wheel into
    (a regular package, a namespace package and a top-level module)."""
    folder = tmp_path_factory.mktemp("installed")
    return wheels.virtualenv_with(
        wheels.build_wheel(folder, "tinykit", "1.0", INSTALLED), folder / "env"
    )


def test_an_installed_file_belongs_to_its_top_level_package(site_packages: Path) -> None:
    use = site_packages / "tinykit" / "sub" / "use.py"
    root = find_root(use)
    assert root == (site_packages / "tinykit").resolve()
    assert module_name(use, root) == "tinykit.sub.use"
    assert module_name(site_packages / "tinykit" / "__init__.py", root) == "tinykit"
    assert module_file("tinykit.core", root) == site_packages / "tinykit" / "core.py"
    assert module_file("core", root) is None  # not a top-level module: nothing passes for one
    assert import_folders(root) == (site_packages.resolve(),)
    assert examples_run.import_roots(root) == [site_packages.resolve()]
    listed = index.index_for(root).files()  # what a guide reads of the project: the package
    assert {path.relative_to(site_packages.resolve()).parts[0] for path in listed} == {"tinykit"}
    part = site_packages / "tinyns" / "part" / "x.py"  # PEP 420: tinyns has no __init__.py
    assert find_root(part) == (site_packages / "tinyns" / "part").resolve()
    assert module_name(part, find_root(part)) == "tinyns.part.x"
    assert find_root(site_packages / "tinymod.py") == site_packages.resolve()
    assert module_name(site_packages / "tinymod.py", site_packages) == "tinymod"


def test_doc_in_a_virtualenv_resolves_and_names_installed_code(site_packages: Path) -> None:
    use = site_packages / "tinykit" / "sub" / "use.py"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(site_packages), "HOWTO_BACKEND": "offline"}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    found = {}
    for target in (f"{use}::make", f"{use}:6:12"):  # the second on the reference to Thing
        result = subprocess.run(
            [sys.executable, "-m", "howto_ls", "doc", target, "--json"],
            capture_output=True,
            text=True,
            cwd="/",
            env=env,
            check=True,
            timeout=120,
        )
        described = json.loads(result.stdout)
        found[described["symbol"]] = (described["import_path"], described["path"])
    assert found == {
        "make": ("tinykit.sub.use", str(use)),
        "Thing": ("tinykit.core", str(site_packages / "tinykit" / "core.py")),
    }


def test_a_marker_inside_an_installation_folder_wins(tmp_path: Path) -> None:
    installed = tmp_path / "lib" / "python3.11" / "site-packages"
    source = touch(installed / "vendored" / "sub" / "mod.py")
    touch(installed / "vendored" / "__init__.py")
    touch(installed / "vendored" / "sub" / "__init__.py")
    assert find_root(source) == (installed / "vendored").resolve()
    touch(installed / "vendored" / "sub" / "pyproject.toml")
    assert find_root(source) == (installed / "vendored" / "sub").resolve()
    assert module_name(source, find_root(source)) == "vendored.sub.mod"


def test_a_virtualenv_inside_a_project_is_not_the_project(tmp_path: Path) -> None:
    touch(tmp_path / "pyproject.toml")
    installed = tmp_path / ".venv" / "lib" / "python3.11" / "dist-packages"
    source = touch(installed / "pkg" / "mod.py")
    touch(installed / "pkg" / "__init__.py")
    assert find_root(source) == (installed / "pkg").resolve()
    assert find_root(touch(tmp_path / "app" / "main.py")) == tmp_path.resolve()


def test_a_target_folder_on_sys_path_is_an_installation_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "vendor"
    wheels.pip_install(wheels.build_wheel(tmp_path, "tinykit", "1.0", INSTALLED), target=target)
    use = target / "tinykit" / "sub" / "use.py"
    assert find_root(use) == target.resolve()  # not on sys.path: the folder above the package
    monkeypatch.setattr(sys, "path", [*sys.path, str(target)])
    assert find_root(use) == (target / "tinykit").resolve()
    assert module_name(use, find_root(use)) == "tinykit.sub.use"
