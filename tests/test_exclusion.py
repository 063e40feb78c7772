"""Which files are never documented nor read into a prompt: defaults, pyproject, the setting,
and the project's .gitignore files."""

from __future__ import annotations

from pathlib import Path

import pytest

from howto_ls.exclusion import ExcludedError, exclusion_for


def touch(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    project = tmp_path / "proj"
    (project / ".git").mkdir(parents=True)
    return project


@pytest.mark.parametrize(
    ("relpath", "why"),
    [
        (".env", "excluded by pattern '.env*' (default)"),
        ("config/.env.local", "excluded by pattern '.env*' (default)"),
        ("app/client_secret.py", "excluded by pattern '*secret*' (default)"),
        ("certs/server.pem", "excluded by pattern '*.pem' (default)"),
        ("deploy.key", "excluded by pattern '*.key' (default)"),
        ("app/client.py", None),
    ],
)
def test_the_defaults(root: Path, relpath: str, why: str | None) -> None:
    assert exclusion_for(root).reason(touch(root / relpath)) == why


def test_gitignored_files_and_files_in_ignored_folders(root: Path) -> None:
    touch(root / ".gitignore", "local_*.py\nprivate/\n")
    touch(root / "pkg" / ".gitignore", "!local_ok.py\n")
    touch(root / ".git" / "info" / "exclude", "scratch.py\n")
    rules = exclusion_for(root)
    assert rules.reason(touch(root / "local_settings.py")) == "excluded by .gitignore"
    assert rules.reason(touch(root / "private" / "deep" / "a.py")) == "excluded by .gitignore"
    assert rules.reason(touch(root / "scratch.py")) == "excluded by .gitignore"
    assert rules.reason(touch(root / "pkg" / "local_ok.py")) is None  # the nearer file decides
    assert rules.reason(touch(root / "pkg" / "app.py")) is None


def test_a_gitignore_counts_without_a_repository_too(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    touch(root / ".gitignore", "generated.py\n")
    assert exclusion_for(root).excluded(touch(root / "generated.py"))


def test_patterns_from_pyproject_and_the_setting_and_negation(root: Path) -> None:
    touch(root / "pyproject.toml", '[tool.howto-ls]\nexclude = ["legacy/", "!keep_secret.py"]\n')
    rules = exclusion_for(root, ["vendor_*.py"])
    assert rules.reason(touch(root / "legacy" / "old.py")) == (
        "excluded by pattern 'legacy/' ([tool.howto-ls] exclude)"
    )
    assert rules.reason(touch(root / "vendor_api.py")) == (
        "excluded by pattern 'vendor_*.py' (howto.exclude)"
    )
    assert rules.reason(touch(root / "keep_secret.py")) is None  # taken back from the defaults
    assert rules.reason(touch(root / "other_secret.py")) is not None


def test_a_broken_pyproject_and_files_outside_the_root_change_nothing(root: Path) -> None:
    touch(root / "pyproject.toml", "[tool.howto-ls\nexclude = 1")
    rules = exclusion_for(root)
    assert rules.reason(touch(root / "app.py")) is None
    assert rules.reason(touch(root.parent / "elsewhere_secret.py")) is None


def test_the_error_is_one_line_naming_the_file_the_rule_and_the_setting(root: Path) -> None:
    path = touch(root / "api_secret.py")
    with pytest.raises(ExcludedError) as caught:
        exclusion_for(root).check(path)
    assert str(caught.value) == (
        "api_secret.py is excluded by pattern '*secret*' (default): howto-ls neither documents"
        " it nor sends it to a model (change howto.exclude / [tool.howto-ls] exclude, or add"
        " '!pattern' to take it back)"
    )


# --- end to end: the CLI and the server against a fake model on loopback ------------------------

import asyncio  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from howto_ls.testing import FakeOpenAI  # noqa: E402
from howto_ls.testing.samples import GOOD_GUIDE  # noqa: E402
from tests.lsp_client import code_actions, line_of, run_action, running_server  # noqa: E402

HIDDEN = "SECRET-DOCSTRING-7f3a"
APP = '''\
"""The app."""

from local_secrets import read_token


def fetch(url: str) -> str:
    """Fetch ``url`` with the token."""
    return url + read_token()
'''
SECRETS = f'''\
def read_token() -> str:
    """Return the token {HIDDEN} of the staging database."""
    return "x"
'''
BILLING = '''\
def charge(amount: float) -> float:
    """Charge ``amount``."""
    return amount
'''


@pytest.fixture
def app(tmp_path: Path) -> Path:
    project = tmp_path / "app"
    touch(project / "pyproject.toml", "[project]\nname = 'app'\n")
    touch(project / ".gitignore", "local_secrets.py\n")
    touch(project / "app.py", APP)
    touch(project / "local_secrets.py", SECRETS)
    touch(project / "billing_core.py", BILLING)
    return project


def howto(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(project.parent / "home"),
        "XDG_CACHE_HOME": str(project.parent / "cache"),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "howto_ls", *args],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("module", "ignored"),
    [("local_secrets", True), ("local_config", True), ("local_config", False)],
    ids=["gitignored local_secrets", "gitignored local_config", "control"],
)
def test_a_gitignored_module_is_not_read_into_the_prompt(
    app: Path, module: str, ignored: bool
) -> None:
    if module != "local_secrets":
        (app / "local_secrets.py").rename(app / f"{module}.py")
        touch(app / "app.py", APP.replace("local_secrets", module))
        touch(app / ".gitignore", f"{module}.py\n" if ignored else "")
    with FakeOpenAI(default=GOOD_GUIDE) as fake:
        env = {"HOWTO_BASE_URL": fake.url, "HOWTO_MODEL": fake.model}
        howto(app, "doc", "app.py::fetch", env=env)  # the guide's fate does not matter here
        sent = str([request.body for request in fake.chat_requests])
    assert "def fetch" in sent and "read_token" in sent  # the documented code itself
    assert (HIDDEN in sent) is not ignored


def test_generate_over_the_folder_leaves_excluded_files_alone(app: Path) -> None:
    before = {p.name: p.read_bytes() for p in app.glob("*.py")}
    result = howto(app, "generate", ".", "--no-progress", env={"HOWTO_BACKEND": "offline"})
    assert result.returncode == 0, result.stderr
    assert (app / "local_secrets.py").read_bytes() == before["local_secrets.py"]
    assert (app / "app.py").read_bytes() != before["app.py"]  # the rest is documented
    named = howto(app, "generate", "local_secrets.py", env={"HOWTO_BACKEND": "offline"})
    assert (app / "local_secrets.py").read_bytes() == before["local_secrets.py"]
    assert named.stderr.splitlines()[0] == (
        "local_secrets.py: excluded by pattern '*secret*' (default): not documented, not sent"
        " to a model"
    )


@pytest.mark.parametrize("source", ["HOWTO_EXCLUDE", "pyproject.toml", "--exclude"])
def test_an_exclude_pattern_from_each_source(app: Path, source: str) -> None:
    env = {"HOWTO_BACKEND": "offline"}
    args: list[str] = []
    if source == "HOWTO_EXCLUDE":
        env["HOWTO_EXCLUDE"] = "vendor_*.py, billing_*.py"
        origin = "howto.exclude"
    elif source == "pyproject.toml":
        touch(
            app / "pyproject.toml",
            '[project]\nname = "app"\n\n[tool.howto-ls]\nexclude = ["billing_*.py"]\n',
        )
        origin = "[tool.howto-ls] exclude"
    else:
        args = ["--exclude", "billing_*.py"]
        origin = "howto.exclude"
    before = (app / "billing_core.py").read_bytes()
    doc = howto(app, "doc", "billing_core.py::charge", *args, env=env)
    assert doc.returncode == 1
    assert doc.stderr.strip() == (
        f"howto-ls: error: billing_core.py is excluded by pattern 'billing_*.py' ({origin}):"
        " howto-ls neither documents it nor sends it to a model (change howto.exclude /"
        " [tool.howto-ls] exclude, or add '!pattern' to take it back)"
    )
    generated = howto(app, "generate", ".", "--no-progress", *args, env=env)
    assert generated.returncode == 0, generated.stderr
    assert (app / "billing_core.py").read_bytes() == before
    missing = howto(app, "check", ".", "--missing", *args, env=env)
    assert "billing_core.py" not in missing.stdout
    assert "charge" not in missing.stdout


async def test_the_server_keeps_excluded_files_out_of_prompts_and_guides(app: Path) -> None:
    with FakeOpenAI(default=GOOD_GUIDE) as fake:
        options = {
            "howto": {
                "backend": "openai",
                "baseUrl": fake.url,
                "model": fake.model,
                "exclude": ["billing_*.py"],
            }
        }
        async with running_server(app, init_options=options) as editor:
            billing = editor.open("billing_core.py")
            line, col = line_of(editor.text(billing), "def charge")
            actions = await code_actions(editor, billing, line, col + 5)
            chosen = next(a for a in actions if a.title == "Generate how-to doc")
            refused = await asyncio.wait_for(run_action(editor, chosen), 30)
            assert fake.requests == []
            assert refused["applied"] is False
            assert "excluded by pattern 'billing_*.py' (howto.exclude)" in refused["error"]
            shown = [m.message for m in editor.client.messages]
            assert [m for m in shown if "billing_core.py is excluded" in m] == [
                f"howto-ls: {refused['error']}"
            ]
            uri = editor.open("app.py")
            line, col = line_of(editor.text(uri), "def fetch")
            actions = await code_actions(editor, uri, line, col + 5)
            chosen = next(a for a in actions if a.title == "Generate how-to doc")
            await asyncio.wait_for(run_action(editor, chosen), 30)  # its guide does not matter
        sent = str([request.body for request in fake.chat_requests])
    assert "read_token" in sent and HIDDEN not in sent
