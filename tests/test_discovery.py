"""Finding Python files: .gitignore at every level, environments and build output skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from howto_ls.discovery import python_files
from howto_ls.errors import UsageError


def touch(root: Path, *names: str) -> None:
    """Create empty files (and their folders) under ``root``."""
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n", encoding="utf-8")


def relative(root: Path, files: list[Path]) -> list[str]:
    """``files`` as POSIX paths relative to ``root``."""
    return [f.relative_to(root.resolve()).as_posix() for f in files]


def test_walk_skips_environments_caches_and_build_output(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "pkg/__init__.py",
        "pkg/core.py",
        "pkg/sub/deep.py",
        "pkg/notes.txt",
        "pkg/stub.pyi",
        ".venv/lib/python3.11/site-packages/dep.py",
        "env/lib/mod.py",
        "node_modules/x/y.py",
        "build/lib/pkg/core.py",
        "dist/thing.py",
        "pkg/__pycache__/core.py",
        "pkg.egg-info/top.py",
        ".git/hooks/hook.py",
    )
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n", encoding="utf-8")
    assert relative(tmp_path, python_files([tmp_path])) == [
        "pkg/__init__.py",
        "pkg/core.py",
        "pkg/sub/deep.py",
    ]


def test_gitignore_rules_at_every_level_with_negation(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    touch(
        tmp_path,
        "src/app.py",
        "src/generated_a.py",
        "src/generated_keep.py",
        "src/vendor/lib.py",
        "src/inner/local.py",
        "src/inner/secret.py",
        "scratch/tmp.py",
    )
    (tmp_path / ".gitignore").write_text(
        "# comment\nscratch/\ngenerated_*.py\n!generated_keep.py\n", encoding="utf-8"
    )
    (tmp_path / "src" / ".gitignore").write_text("vendor/\n", encoding="utf-8")
    (tmp_path / "src" / "inner" / ".gitignore").write_text("secret.py\n", encoding="utf-8")
    expected = ["src/app.py", "src/generated_keep.py", "src/inner/local.py"]
    assert relative(tmp_path, python_files([tmp_path])) == expected
    # Starting below the repository root still honours the root's and parents' rules.
    assert relative(tmp_path, python_files([tmp_path / "src" / "inner"])) == ["src/inner/local.py"]
    assert relative(tmp_path, python_files([tmp_path / "src"])) == expected


def test_info_exclude_is_honoured(tmp_path: Path) -> None:
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("local_*.py\n", encoding="utf-8")
    touch(tmp_path, "a.py", "local_b.py")
    assert relative(tmp_path, python_files([tmp_path])) == ["a.py"]


def test_named_files_are_kept_once_and_in_order(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
    touch(tmp_path, "b.py", "a.py", "ignored.py", "types.pyi")
    files = python_files(
        [tmp_path / "b.py", tmp_path / "ignored.py", tmp_path, tmp_path / "types.pyi"]
    )
    assert relative(tmp_path, files) == ["b.py", "ignored.py", "a.py", "types.pyi"]


def test_bad_paths_are_usage_errors(tmp_path: Path) -> None:
    touch(tmp_path, "readme.txt")
    with pytest.raises(UsageError, match="no such file or folder"):
        python_files([tmp_path / "missing"])
    with pytest.raises(UsageError, match="not a Python file"):
        python_files([tmp_path / "readme.txt"])


def test_gitignored_follows_git_from_the_repository_root(tmp_path: Path) -> None:
    from howto_ls.discovery import gitignored

    repository = tmp_path / "repo"
    project = repository / "services" / "api"
    (repository / ".git" / "info").mkdir(parents=True)
    project.mkdir(parents=True)
    (repository / ".gitignore").write_text("secrets/\n*.local.py\n", encoding="utf-8")
    (repository / ".git" / "info" / "exclude").write_text("scratch.py\n", encoding="utf-8")
    (project / ".gitignore").write_text("!keep.local.py\n", encoding="utf-8")
    assert gitignored(project / "secrets" / "deep" / "a.py", project)  # an ignored folder
    assert gitignored(project / "db.local.py", project)  # a rule above the project root
    assert gitignored(project / "scratch.py", project)
    assert not gitignored(project / "keep.local.py", project)  # the nearer file decides
    assert not gitignored(project / "app.py", project)
    assert not gitignored(tmp_path / "elsewhere.local.py", project)  # outside the repository
