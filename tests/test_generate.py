"""``howto-ls generate`` over real code on disk: every public symbol, safe writes, true counts."""

from __future__ import annotations

import ast
import collections
import contextlib
import fcntl
import json
import os
import pty
import re
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import h11
import httpx_sse
import jsonschema
import pytest

from howto_ls import astutil, cli, verification
from howto_ls.cache import GuideCache
from howto_ls.commands.generate import Options, Summary, generate
from howto_ls.config import Settings
from howto_ls.edits import check_code_unchanged, read_docstring_guides
from howto_ls.model import Symbol
from howto_ls.sidecar import read_blocks
from howto_ls.symbols import list_symbols
from howto_ls.testing import fake_openai, samples
from howto_ls.testing.fake_openai import FakeOpenAI, RecordedRequest, Reply
from howto_ls.testing.position_fuzz import download
from tests.verify_project import FIRST_CALL, SECOND_CALL, write_calc

SMALL_PACKAGE = Path(httpx_sse.__file__).parent
LARGER_PACKAGE = Path(h11.__file__).parent


def copy_package(source: Path, root: Path) -> Path:
    """A copy of an installed package inside a fresh project at ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'copy'\n", encoding="utf-8")
    target = root / source.name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def snapshot(folder: Path) -> dict[Path, bytes]:
    """Every file's bytes under ``folder``."""
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Offline backend, and a cache and home inside the test's folder."""
    monkeypatch.setenv("HOWTO_BACKEND", "offline")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name in ("HOWTO_API_KEY", "OPENAI_API_KEY", "HOWTO_BASE_URL", "HOWTO_TARGET"):
        monkeypatch.delenv(name, raising=False)


def public_symbols(source: str, path: Path, root: Path) -> list[Symbol]:
    """The symbols ``generate`` documents: those a public module exposes."""
    return [
        symbol
        for symbol in list_symbols(source, path, root)
        if not any(part.startswith("_") for part in symbol.import_path.split("."))
    ]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``howto-ls ARGS`` in this process: exit status, stdout, stderr."""
    status = cli.main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_generate_documents_every_public_symbol_of_a_real_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    package = copy_package(SMALL_PACKAGE, tmp_path / "project")
    monkeypatch.chdir(package.parent)
    before = snapshot(package)

    status, _, err = run(capsys, "generate", package.name, "--no-progress")

    assert status == 0, err
    expected = 0
    for path, old in before.items():
        new = path.read_text(encoding="utf-8")
        if path.suffix != ".py":
            assert new.encode("utf-8") == old
            continue
        check_code_unchanged(old.decode("utf-8"), new, str(path))  # parses, same code
        # a private module's own symbols are left out; what the package re-exports is not
        wanted = {s.qualname for s in public_symbols(new, path, package.parent)}
        assert wanted <= set(read_docstring_guides(new)), path
        expected += len(wanted)
    assert "_api.py" in str(before) and "EventSource" in (package / "_api.py").read_text("utf-8")
    assert f"howto-ls generate: {expected} written, 0 unchanged" in err
    assert " 0 failed" in err

    after = snapshot(package)
    status, _, err = run(capsys, "generate", package.name, "--no-progress")
    assert status == 0, err
    assert snapshot(package) == after
    assert f"0 written, 0 unchanged, {expected} up to date" in err


def test_force_regenerates_fresh_guides_and_restores_a_hand_edited_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    package = copy_package(SMALL_PACKAGE, tmp_path / "project")
    monkeypatch.chdir(package.parent)
    assert run(capsys, "generate", package.name, "--no-progress")[0] == 0
    api = package / "_api.py"
    generated = read_docstring_guides(api.read_text(encoding="utf-8"))["connect_sse"]
    text = api.read_text(encoding="utf-8")
    first_line = generated.markdown.split("Description\n" + "-" * 25 + "\n")[1].split("\n")[0]
    assert text.count(first_line) == 1
    api.write_text(text.replace(first_line, first_line + " Edited by hand."), encoding="utf-8")
    total = sum(
        len(public_symbols(p.read_text(encoding="utf-8"), p, package.parent))
        for p in package.glob("*.py")
    )

    status, _, err = run(capsys, "generate", package.name, "--no-progress")
    assert status == 0, err
    assert f"0 written, 0 unchanged, {total} up to date" in err  # the fingerprint still matches
    assert "Edited by hand." in api.read_text(encoding="utf-8")

    status, _, err = run(capsys, "generate", package.name, "--force", "--no-progress")
    assert status == 0, err
    # Only the hand-edited guide differs: regenerating unchanged code gives the same guides.
    assert f"1 written, {total - 1} unchanged, 0 up to date, 0 skipped, 0 failed" in err
    assert read_docstring_guides(api.read_text(encoding="utf-8"))["connect_sse"] == generated


TABLES = '''\
"""Tables of rows."""


class Table:
    """Rows of cells."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def append(self, *cells: str) -> "Table":
        row = [cell.strip() for cell in cells]
        if any(not cell for cell in row):
            raise ValueError("empty cell")
        self.rows += [row]
        return self

    def render(self) -> str:
        return str(len(self.rows))


class Document:
    """A titled page."""

    def __init__(self, title: str) -> None:
        self.title = title

    def render(self) -> str:
        return self.title.upper()
'''


def test_force_after_generate_writes_the_same_bytes_as_the_examples_never_count_as_calls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # ``Table``'s guide walks its biggest method, ``append``, as nothing calls either method.
    # The guides then call ``render`` three times (``Document``'s two, ``Table.render``'s) and
    # ``append`` twice: counted as the project's calls, they would make ``render`` the entry
    # point when ``Table``'s guide is written again.
    root = tmp_path / "project"
    (root / "tables").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'tables'\n", encoding="utf-8")
    (root / "tables" / "__init__.py").write_text("", encoding="utf-8")
    (root / "tables" / "core.py").write_text(TABLES, encoding="utf-8")
    monkeypatch.chdir(root)
    status, _, err = run(capsys, "generate", "tables", "--write", "docstring", "--no-progress")
    assert status == 0, err
    written = snapshot(root)
    guides = read_docstring_guides(written[root / "tables" / "core.py"].decode())
    assert "main entry point is the method `append`" in guides["Table"].markdown
    assert ".render()" in guides["Document"].markdown

    status, _, err = run(capsys, "generate", "tables", "--force", "--no-progress")
    assert status == 0, err
    assert "0 written" in err and " 0 failed" in err
    assert snapshot(root) == written


def test_a_symbol_that_cannot_be_documented_is_reported_and_the_rest_succeed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    limits = root / "pkg" / "limits.py"
    limits.write_text(
        'LIMIT = 10; NAME = "x"\n\n\ndef clamp(value: int) -> int:\n    return min(value, LIMIT)\n',
        encoding="utf-8",
    )
    (root / "pkg" / "broken.py").write_text("def oops(:\n", encoding="utf-8")
    (root / "pkg" / "fine.py").write_text("def ok() -> int:\n    return 1\n", encoding="utf-8")
    monkeypatch.chdir(root)

    status, _, err = run(capsys, "generate", "pkg", "--no-progress")

    assert status == 1
    assert "pkg/limits.py:1: LIMIT: refusing to edit LIMIT: its assignment shares a line" in err
    assert "pkg/limits.py:1: NAME: refusing to edit NAME" in err
    assert "pkg/broken.py:1: (file):" in err
    assert "3 failed" in err
    documented = set(read_docstring_guides(limits.read_text(encoding="utf-8")))
    assert documented == {"", "clamp"}
    assert set(read_docstring_guides((root / "pkg" / "fine.py").read_text("utf-8"))) == {"", "ok"}
    assert (root / "pkg" / "broken.py").read_text(encoding="utf-8") == "def oops(:\n"


def test_dry_run_prints_the_diff_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    cart = samples.write_project(root)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(root)
    before = snapshot(root)

    status, out, err = run(capsys, "generate", "shop/cart.py", "--dry-run", "--no-progress")

    assert status == 0, err
    assert snapshot(root) == before
    assert out.startswith("--- a/shop/cart.py\n+++ b/shop/cart.py\n")
    assert "+    How to Use This Code Block" in out
    assert err.startswith("howto-ls generate --dry-run: 2 to write, 0 unchanged")
    assert cart.read_text(encoding="utf-8") == samples.CART_SOURCE


def test_sidecar_batch_writes_one_markdown_file_per_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    samples.write_project(root)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(root)
    sources = {p: p.read_bytes() for p in (root / "shop").glob("*.py")}

    status, _, err = run(capsys, "generate", "shop", "--write", "sidecar", "--no-progress")

    assert status == 0, err
    assert {p: p.read_bytes() for p in sources} == sources
    cart_doc = root / "docs" / "howto" / "shop" / "cart.md"
    assert set(read_blocks(cart_doc.read_text(encoding="utf-8"))) == {"", "total"}
    rates_doc = root / "docs" / "howto" / "shop" / "rates.md"
    assert set(read_blocks(rates_doc.read_text(encoding="utf-8"))) == {"", "tax_rate"}
    assert "written, 0 unchanged, 0 up to date" in err

    status, _, err = run(capsys, "generate", "shop", "--write", "sidecar", "--no-progress")
    assert status == 0 and "0 written, 0 unchanged, 5 up to date" in err
    assert run(capsys, "check", "shop", "--missing")[0] == 0

    # Guides in sidecars do not stand in for docstrings when docstrings are asked for.
    status, _, err = run(capsys, "generate", "shop", "--write", "docstring", "--no-progress")
    assert status == 0 and "5 written, 0 unchanged, 0 up to date" in err
    cart = root / "shop" / "cart.py"
    assert set(read_docstring_guides(cart.read_text(encoding="utf-8"))) == {"", "total"}


def test_only_missing_and_stale_pick_their_symbols(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    cart = samples.write_project(root)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(root)
    assert run(capsys, "generate", "shop/cart.py", "--no-progress")[0] == 0
    text = cart.read_text(encoding="utf-8")
    assert text.count('region: str = "EU"') == 1
    # A new default: total's guide and the module's (its signatures changed) go stale.
    cart.write_text(text.replace('region: str = "EU"', 'region: str = "US"'), encoding="utf-8")
    rates = root / "shop" / "rates.py"

    status, _, err = run(capsys, "generate", "shop", "--only-missing", "--no-progress")
    assert status == 0, err
    # Written: shop/__init__ and rates (module, tax_rate); skipped: stale cart and total.
    assert "3 written, 0 unchanged, 0 up to date, 2 skipped, 0 failed" in err
    assert set(read_docstring_guides(rates.read_text(encoding="utf-8"))) == {"", "tax_rate"}

    status, _, err = run(capsys, "generate", "shop", "--stale", "--no-progress")
    assert status == 0, err
    assert "2 written, 0 unchanged, 3 up to date, 0 skipped" in err  # cart and total
    assert run(capsys, "check", "shop")[0] == 0


def test_bad_arguments_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    status, _, err = run(capsys, "generate", "missing_folder")
    assert status == 2 and "missing_folder: no such file or folder" in err
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    status, _, err = run(capsys, "generate", "a.py", "--concurrency", "0")
    assert status == 2 and "--concurrency must be at least 1" in err


async def test_model_calls_stay_within_the_concurrency_and_failures_do_not_stop_the_batch(
    tmp_path: Path,
) -> None:
    root = tmp_path / "project"
    cart = samples.write_project(root)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    rates = root / "shop" / "rates.py"

    def answer(request: RecordedRequest) -> Reply:
        wanted = "Python function `total`" in request.messages[-1]["content"]
        return Reply(content=samples.GOOD_GUIDE if wanted else "", first_token_delay=0.2)

    with FakeOpenAI(answer) as fake:
        settings = Settings(backend="openai", base_url=fake.url, model="fake", max_concurrency=2)
        summary = Summary()
        cache = GuideCache(tmp_path / "guides.sqlite3")
        options = Options(target="docstring", concurrency=2, progress=False)
        await generate([cart, rates], settings, options, summary, cache=cache)
        assert 1 <= fake.max_in_flight <= 2  # 4 symbols, so an unbounded batch would reach 4
        first_requests = len(fake.chat_requests)

        assert summary.written == 1
        assert sorted(f.name for f in summary.failures) == ["shop.cart", "shop.rates", "tax_rate"]
        assert all("empty answer" in f.reason for f in summary.failures)
        assert set(read_docstring_guides(cart.read_text(encoding="utf-8"))) == {"total"}
        assert rates.read_text(encoding="utf-8") == samples.RATES_SOURCE

        # The guide is cached: removing it and running again asks the model only for the rest.
        cart.write_text(samples.CART_SOURCE, encoding="utf-8")
        again = Summary()
        await generate([cart], settings, options, again, cache=cache)
        assert again.written == 1
        assert len(fake.chat_requests) - first_requests == 1  # the module only, not total


JSON = ("--format", "json")
GITHUB = ("--format", "github")


def test_ctrl_c_during_a_batch_leaves_every_file_whole(tmp_path: Path) -> None:
    package = copy_package(LARGER_PACKAGE, tmp_path / "project")
    for copy in range(1, 9):  # a batch long enough to be interrupted however fast it writes
        shutil.copytree(
            LARGER_PACKAGE, package / f"copy{copy}", ignore=shutil.ignore_patterns("__pycache__")
        )
    before = snapshot(package)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HOWTO_BACKEND": "offline",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),  # this checkout's howto_ls
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "howto_ls", "generate", package.name, "--no-progress", *JSON],
        cwd=package.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if any(p.read_bytes() != data for p, data in before.items()):
                break
            time.sleep(0.01)
        assert process.poll() is None, "the batch finished before it could be interrupted"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    assert process.returncode == 130, err
    assert "interrupted" in err
    document = json.loads(out)  # what was done before Ctrl-C, as one document
    assert document["error"] == "interrupted"
    assert document["summary"]["written"] == len(
        [r for r in document["records"] if r["status"] == "written"]
    )
    after = snapshot(package)
    assert set(after) == set(before)  # no temporary file left behind
    written = 0
    for path, old in before.items():
        new = after[path]
        if path.suffix != ".py":
            continue
        check_code_unchanged(old.decode("utf-8"), new.decode("utf-8"), str(path))
        written += new != old
        ast.parse(new)
    assert 0 < written < len([p for p in before if p.suffix == ".py"])


def test_a_batch_leaves_the_shared_syntax_trees_as_parsed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Listing, fingerprints, context, the offline writer and edit planning share one tree per
    # module text (astutil.parse_shared); a step that changed it would corrupt the others.
    astutil.parse_shared.cache_clear()
    package = copy_package(LARGER_PACKAGE, tmp_path / "project")
    monkeypatch.chdir(package.parent)
    texts = [p.read_text(encoding="utf-8") for p in sorted(package.rglob("*.py"))]

    status, _, err = run(capsys, "generate", package.name, "--no-progress")
    assert status == 0, err
    status, _, err = run(capsys, "check", package.name, "--missing")
    assert status == 0, err

    texts += [p.read_text(encoding="utf-8") for p in sorted(package.rglob("*.py"))]
    hits = astutil.parse_shared.cache_info().hits
    for text in texts:
        shared = ast.dump(astutil.parse_shared(text), include_attributes=True)
        assert shared == ast.dump(ast.parse(text), include_attributes=True)
    assert astutil.parse_shared.cache_info().hits == hits + len(texts)  # all were shared trees


def test_the_progress_bar_in_a_terminal_never_runs_backwards(tmp_path: Path) -> None:
    package = copy_package(LARGER_PACKAGE, tmp_path / "project")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HOWTO_BACKEND": "offline",
        "TQDM_MININTERVAL": "0",  # draw on every update, so each step of the bar is seen
    }
    leader, follower = pty.openpty()  # a real terminal: tqdm draws only on one
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "howto_ls", "generate", package.name],
            cwd=package.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=follower,
            stderr=follower,
        )
        os.close(follower)
        output = bytearray()
        with contextlib.suppress(OSError):  # EIO once the child has closed the terminal
            while chunk := os.read(leader, 65536):
                output += chunk
        assert process.wait(timeout=120) == 0, output.decode(errors="replace")[-2000:]
    finally:
        os.close(leader)
    text = output.decode(errors="replace")
    percentages = [int(found) for found in re.findall(r"(\d+)%\|", text)]
    totals = {int(total) for total in re.findall(r"\d+/(\d+) \[", text)}
    assert percentages, text[-2000:]
    assert percentages == sorted(percentages), percentages
    assert percentages[-1] == 100
    assert len(totals) == 1, totals  # the total, once shown, never changes


def _long_lines(folder: Path) -> dict[str, int]:
    """ruff's E501 count per file under ``folder``, with the project's own configuration."""
    result = subprocess.run(
        ["ruff", "check", "--select", "E501", "--no-cache", "--output-format", "concise", "."],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    counts: dict[str, int] = {}
    for line in result.stdout.splitlines():
        if " E501 " in line:
            name = line.split(":", 1)[0]
            counts[name] = counts.get(name, 0) + 1
    return counts


@pytest.mark.parametrize(("config", "limit"), [("ruff", 79), ("black", 100), ("flake8", 79)])
def test_docstring_guides_add_no_long_lines_to_a_real_package(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    config: str,
    limit: int,
) -> None:
    package = copy_package(LARGER_PACKAGE, tmp_path / "project")
    root = package.parent
    if config == "flake8":
        (root / "setup.cfg").write_text(f"[flake8]\nmax-line-length = {limit}\n", "utf-8")
    else:
        text = f"[project]\nname = 'copy'\n\n[tool.{config}]\nline-length = {limit}\n"
        (root / "pyproject.toml").write_text(text, encoding="utf-8")
    # ruff reads its own settings only; tell it the limit the project set for the other tools.
    (root / "ruff.toml").write_text(f"line-length = {limit}\n", "utf-8")
    before = _long_lines(root)
    if config != "ruff":
        (root / "ruff.toml").unlink()
    monkeypatch.chdir(root)

    status, _, err = run(capsys, "generate", package.name, "--no-progress")

    assert status == 0, err
    public = sum(
        len(public_symbols(p.read_text(encoding="utf-8"), p, root)) for p in package.glob("*.py")
    )
    assert public >= 30  # Connection, Request, ... and their methods: h11's re-exported API
    assert f" {public} written" in err
    if config != "ruff":
        (root / "ruff.toml").write_text(f"line-length = {limit}\n", "utf-8")
    assert _long_lines(root) == before  # not one new E501
    written = snapshot(package)
    status, _, err = run(capsys, "generate", package.name, "--force", "--no-progress")
    assert status == 0, err
    assert snapshot(package) == written  # the same guides give the same bytes


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("cause", ["refused", "401", "404"])
def test_a_batch_stops_at_the_first_failure_no_symbol_can_escape(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cause: str,
) -> None:
    root = tmp_path / "project"
    cart = samples.write_project(root)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    before = snapshot(root)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HOWTO_API_KEY", "sk-wrong-0123456789")
    replies = {"404": fake_openai.not_found("fake")}
    with FakeOpenAI(default=replies.get(cause, samples.GOOD_GUIDE), api_key="sk-right") as fake:
        url = f"http://127.0.0.1:{_free_port()}/v1" if cause == "refused" else fake.url
        if cause == "404":
            fake.api_key = None
        status, _, err = run(
            capsys, "generate", str(cart.parent), "--backend", "openai", "--base-url", url,
            "--model", "fake", "--concurrency", "1", "--no-progress",
        )  # fmt: skip
        asked = len(fake.chat_requests)
    lines = err.strip().splitlines()
    assert status == 1
    assert snapshot(root) == before
    # At most the symbols already in hand (two per call in flight) reach the server.
    assert asked <= (0 if cause == "refused" else 2)
    failures = [line for line in lines if not line.startswith("howto-ls generate")]
    assert len(failures) == 1, err
    symbols = sum(
        len(list_symbols(path.read_text(), path, root)) for path in cart.parent.glob("*.py")
    )
    stopped = (
        f"howto-ls generate: stopped at the first model failure above; {symbols - 1} other "
        "symbols not attempted: fix the cause and run again"
    )
    assert stopped in lines, err
    assert "sk-wrong" not in err


def test_a_deeply_nested_file_is_reported_and_the_others_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    deep = root / "generated.py"
    deep_text = "import os\nx = " + "+".join(["1"] * 100_000) + "\n"
    deep.write_text(deep_text, encoding="utf-8")
    (root / "nested.py").write_text("y = " + "-" * 2_000 + "1\n", encoding="utf-8")
    (root / "shapes.py").write_text(
        "def area(width: int, height: int) -> int:\n    return width * height\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(root)

    status, _, err = run(capsys, "generate", ".", "--no-progress")

    assert status == 1
    assert "Traceback" not in err
    assert "generated.py:1: (file): cannot read generated.py: too deeply nested" in err
    assert "nested.py:1: (file): cannot read nested.py: too deeply nested" in err
    assert "area" in read_docstring_guides((root / "shapes.py").read_text(encoding="utf-8"))
    assert deep.read_text(encoding="utf-8") == deep_text
    assert "2 failed (1 file written)" in err


def test_generate_skips_a_symlink_out_of_the_project_and_a_read_only_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outside = elsewhere / "theirs.py"
    code = b"def theirs(a: int) -> int:\n    return a + 1\n"
    outside.write_bytes(code)
    (root / "theirs.py").symlink_to(outside)
    frozen = root / "frozen.py"
    frozen.write_bytes(code.replace(b"theirs", b"frozen"))
    frozen.chmod(0o444)
    (root / "shapes.py").write_text(
        "def area(width: int, height: int) -> int:\n    return width * height\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(root)

    for target in ("docstring", "sidecar"):
        status, _, err = run(capsys, "generate", ".", "--write", target, "--no-progress")
        assert status == 1
        assert "Traceback" not in err
        assert (
            f"theirs.py:1: (file): theirs.py is a symlink to {outside.resolve()}, outside the"
            f" project {root.resolve()}: not written; edit that file in its own project"
        ) in err
        if target == "docstring":
            assert "frozen.py is read-only: not written; make it writable (chmod u+w)" in err
    assert outside.read_bytes() == code
    assert sorted(p.name for p in elsewhere.iterdir()) == ["theirs.py"]
    assert frozen.read_bytes() == code.replace(b"theirs", b"frozen")
    assert stat.S_IMODE(frozen.stat().st_mode) == 0o444
    assert "area" in read_docstring_guides((root / "shapes.py").read_text(encoding="utf-8"))
    assert (root / "docs" / "howto" / "frozen.md").is_file()  # its sidecar is its own file


def test_a_file_over_the_size_limit_is_skipped_not_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    big_text = "def big() -> int:\n    return 1\n" + "x = 1\n" * 1_000
    (root / "big.py").write_text(big_text, encoding="utf-8")
    (root / "shapes.py").write_text(
        "def area(width: int, height: int) -> int:\n    return width * height\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(root)
    monkeypatch.setenv("HOWTO_MAX_FILE_SIZE", "3000")

    status, _, err = run(capsys, "generate", ".", "--no-progress")

    assert status == 0, err
    assert "big.py: big.py is 6,031 bytes, over the 3,000 bytes limit: skipped" in err
    assert (root / "big.py").read_text(encoding="utf-8") == big_text
    assert "area" in read_docstring_guides((root / "shapes.py").read_text(encoding="utf-8"))
    assert "0 failed (1 file written)" in err


@pytest.mark.parametrize("marker", ["", "pyproject.toml"])
def test_nothing_is_written_through_a_symlinked_folder_out_of_the_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, marker: str
) -> None:
    root, outside = tmp_path / "project", tmp_path / "elsewhere" / "lib"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    outside.mkdir(parents=True)
    if marker:  # the target looks like a project of its own: still not this project's root
        (outside / marker).write_text("", encoding="utf-8")
    text = "def libf(a: int) -> int:\n    return a\n"
    (outside / "libm.py").write_text(text, encoding="utf-8")
    (root / "pkg" / "sublib").symlink_to(outside, target_is_directory=True)
    monkeypatch.chdir(root)

    for command in (
        ["generate", "pkg/sublib", "--no-progress"],
        ["doc", "pkg/sublib/libm.py::libf", "--write", "docstring"],
        ["doc", "pkg/sublib/libm.py::libf", "--write", "sidecar"],
    ):
        status, _, err = run(capsys, *command)
        assert status == 1, (command, err)
        assert "outside the project" in err and "not written" in err, err
        assert "Traceback" not in err
    assert (outside / "libm.py").read_text(encoding="utf-8") == text
    assert sorted(p.name for p in outside.iterdir()) == sorted(["libm.py", *filter(None, [marker])])


# --- the docstrings it writes pass the project's docstring lint (real ruff) ---------------

LINT_RULES = "D,E501,W505,W605"
LINT_CONFIG = """\
[project]
name = "linted"

[tool.ruff]
line-length = 88

[tool.ruff.lint]
select = [{rules}]

[tool.ruff.lint.pycodestyle]
max-doc-length = {max_doc_length}

[tool.ruff.lint.pydocstyle]
convention = "{convention}"
"""
LINT_FORMAT = ("--output-format=json", ".")
LINTED_PACKAGES = {"itsdangerous": "2.2.0", "more-itertools": "10.5.0"}


def lint_config(max_doc_length: int, convention: str) -> str:
    rules = ", ".join(f'"{rule}"' for rule in LINT_RULES.split(","))
    return LINT_CONFIG.format(rules=rules, max_doc_length=max_doc_length, convention=convention)


def violations(root: Path) -> collections.Counter[tuple[str, str, str]]:
    """ruff's findings under ``root`` as (rule, file, innermost def or class) with counts: a
    key that does not move when a docstring grows."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--exit-zero", *LINT_FORMAT],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found: collections.Counter[tuple[str, str, str]] = collections.Counter()
    scopes: dict[Path, list[tuple[int, int, str]]] = {}
    for item in json.loads(result.stdout):
        path = Path(item["filename"])
        if path not in scopes:
            scopes[path] = definitions(path.read_text(encoding="utf-8"))
        row = item["location"]["row"]
        # Definitions come outermost first, so the last one holding the row is the innermost.
        where = [name for first, last, name in scopes[path] if first <= row <= last]
        found[(item["code"], str(path.relative_to(root)), where[-1] if where else "")] += 1
    return found


def definitions(source: str) -> list[tuple[int, int, str]]:
    """Every def and class of ``source``: first line (decorators included), last line and
    qualname, outer ones before the ones inside them."""
    found: list[tuple[int, int, str]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                first = min([d.lineno for d in child.decorator_list] + [child.lineno])
                found.append((first, child.end_lineno or first, prefix + child.name))
                walk(child, f"{prefix}{child.name}.")
            else:
                walk(child, prefix)

    walk(ast.parse(source), "")
    return found


def generate_and_lint(
    capsys: pytest.CaptureFixture[str], root: Path
) -> collections.Counter[tuple[str, str, str]]:
    """The ruff findings ``generate --write docstring`` adds under ``root``."""
    before = violations(root)
    status, _, err = run(capsys, "generate", str(root), "--write", "docstring", "--no-progress")
    assert status == 0, err
    assert " 0 failed" in err
    return violations(root) - before


@pytest.mark.network_download
@pytest.mark.parametrize(
    ("name", "max_doc_length", "convention"),
    [
        ("itsdangerous", 88, "pep257"),
        ("more-itertools", 88, "numpy"),
        ("more-itertools", 72, "google"),
    ],
)
def test_generated_docstrings_add_no_docstring_lint_on_real_packages(
    pytestconfig: pytest.Config,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    max_doc_length: int,
    convention: str,
) -> None:
    cache = getattr(pytestconfig, "cache", None)  # None under ``-p no:cacheprovider``
    folder = cache.mkdir("position-fuzz") if cache else tmp_path / "cache"
    root = tmp_path / name
    shutil.copytree(download(name, LINTED_PACKAGES[name], folder), root)
    (root / "pyproject.toml").write_text(lint_config(max_doc_length, convention), encoding="utf-8")
    assert generate_and_lint(capsys, root) == collections.Counter()
    assert read_docstring_guides((next(root.rglob("*.py"))).read_text(encoding="utf-8"))


def test_bug_report_kinds_add_no_docstring_lint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "kinds"
    root.mkdir()
    (root / "pyproject.toml").write_text(lint_config(72, "pep257"), encoding="utf-8")
    # A docstring cannot be raw and hold a triple quote, so quotes and backslashes live in
    # different modules (one module's guide quotes all its functions).
    (root / "quotes.py").write_text(
        '"""Helpers that quote."""\n\n\n'
        'def quote_default(text: str = \'"""\') -> str:\n'
        '    """Wrap ``text`` in quotes."""\n'
        "    return text + text\n\n\n"
        "class Registry:\n"
        "    def add(self, name: str) -> None:\n"
        "        self.name = name\n",
        encoding="utf-8",
    )
    (root / "backslashes.py").write_text(
        'def split_lines(text: str, sep: str = "\\n") -> list[str]:\n'
        "    return text.split(sep)\n\n\n"
        "def integral(x: float) -> float:\n"
        '    r"""Compute \\int x\\, dx."""\n'
        "    return x * x / 2\n\n\n"
        "def matches(text: str) -> bool:\n"
        "    return text.endswith('\\\\ ')\n",
        encoding="utf-8",
    )
    assert generate_and_lint(capsys, root) == collections.Counter()
    text = (root / "backslashes.py").read_text(encoding="utf-8")
    assert 'r"""Compute \\int x\\, dx.\n' in text
    assert 'def split_lines(text: str, sep: str = "\\n") -> list[str]:\n    r"""' in text
    assert 'class Registry:\n    """' in (root / "quotes.py").read_text(encoding="utf-8")


GENERATE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["records", "excluded", "left_out", "summary", "diff"],
    "additionalProperties": False,
    "properties": {
        "records": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "line", "qualname", "status", "detail", "elapsed"],
                "additionalProperties": False,
                "properties": {
                    "path": {"type": "string"},
                    "line": {"type": "integer", "minimum": 1},
                    "qualname": {"type": "string"},
                    "status": {
                        "enum": [
                            "written",
                            "to-write",
                            "unchanged",
                            "up-to-date",
                            "skipped",
                            "not-attempted",
                            "failed",
                        ]
                    },
                    "detail": {"type": "string"},
                    "elapsed": {"type": "number", "minimum": 0},
                },
            },
        },
        "excluded": {"type": "array", "items": {"type": "object"}},
        "left_out": {"type": "array", "items": {"type": "object"}},
        "summary": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "written",
                "unchanged",
                "up_to_date",
                "skipped",
                "failed",
                "not_attempted",
                "files_written",
                "seconds",
                "dry_run",
                "stopped",
            ],
            "properties": {
                "seconds": {"type": "number", "minimum": 0},
                "dry_run": {"type": "boolean"},
                "stopped": {"type": ["string", "null"]},
                **{
                    key: {"type": "integer", "minimum": 0}
                    for key in (
                        "written",
                        "unchanged",
                        "up_to_date",
                        "skipped",
                        "failed",
                        "not_attempted",
                        "files_written",
                    )
                },
            },
        },
        "diff": {"type": "string"},
    },
}


def _howto(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m howto_ls ARGS`` in ``root``, offline, as CI runs it (no terminal)."""
    env = {
        **os.environ,
        "HOME": str(root / "home"),
        "XDG_CACHE_HOME": str(root / "cache"),
        "HOWTO_BACKEND": "offline",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    return subprocess.run(
        [sys.executable, "-m", "howto_ls", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _small_project(tmp_path: Path) -> Path:
    """``shop`` with a file that does not parse, a private module and a tests folder."""
    root = tmp_path / "project"
    samples.write_project(root)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    (root / "shop" / "broken.py").write_text("def oops(:\n", encoding="utf-8")
    (root / "shop" / "_compat.py").write_text("def shim() -> int:\n    return 1\n", "utf-8")
    (root / "tests").mkdir()
    (root / "tests" / "test_shop.py").write_text("def test_it() -> None:\n    pass\n", "utf-8")
    return root


def test_format_json_is_one_document_with_a_record_per_symbol(tmp_path: Path) -> None:
    root = _small_project(tmp_path)
    compat = (root / "shop" / "_compat.py").read_bytes()

    result = _howto(root, "generate", "shop", "tests", "--format", "json")  # progress bar on

    assert result.returncode == 1, result.stderr  # broken.py
    document = json.loads(result.stdout)  # nothing else on stdout
    jsonschema.validate(document, GENERATE_SCHEMA)
    records = document["records"]
    written = [r for r in records if r["status"] == "written"]
    assert {"path": "shop/cart.py", "qualname": "total"}.items() <= next(
        r for r in written if r["qualname"] == "total"
    ).items()
    assert all(r["detail"] == "docstring" and r["line"] >= 1 for r in written)
    (failed,) = [r for r in records if r["status"] == "failed"]
    assert (failed["path"], failed["qualname"], failed["line"]) == ("shop/broken.py", "", 1)
    assert "does not parse" in failed["detail"]
    assert document["summary"]["written"] == len(written) >= 5
    assert document["summary"]["failed"] == 1 and document["summary"]["dry_run"] is False
    assert document["left_out"] == [
        {"path": "shop/_compat.py", "reason": "private module"},
        {"path": "tests/test_shop.py", "reason": "test module"},
    ]
    assert (root / "shop" / "_compat.py").read_bytes() == compat
    assert "howto-ls generate: 1 private module and 1 test module" in result.stderr

    again = _howto(root, "generate", "shop", "--format", "json", "--include-private")
    statuses = {r["qualname"]: r["status"] for r in json.loads(again.stdout)["records"]}
    assert statuses["total"] == "up-to-date" and statuses["shim"] == "written"


def test_format_json_dry_run_puts_the_diff_in_the_document(tmp_path: Path) -> None:
    root = _small_project(tmp_path)
    (root / "shop" / "broken.py").unlink()
    before = (root / "shop" / "cart.py").read_bytes()
    result = _howto(root, "generate", "shop/cart.py", "--dry-run", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, GENERATE_SCHEMA)
    assert document["diff"].startswith("--- a/shop/cart.py\n+++ b/shop/cart.py\n")
    assert {r["status"] for r in document["records"]} == {"to-write"}
    assert (root / "shop" / "cart.py").read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32", reason="a line feed is not allowed in file names")
def test_format_github_dry_run_keeps_the_diff_and_hostile_names_off_stdout(tmp_path: Path) -> None:
    root = _small_project(tmp_path)
    (root / "shop" / "broken.py").unlink()
    (root / "shop" / "nl\n::error::INJECTED.py").write_text("def h(x):\n    return x\n", "utf-8")

    # --include-private: a module with no import name is private, and it is its name that matters
    result = _howto(
        root, "generate", "shop", "--dry-run", "--no-progress", "--include-private", *GITHUB
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # nothing failed: no annotation, and the diff is not there
    assert "--- a/shop/nl\\n::error::INJECTED.py\n" in result.stderr
    assert not any(line.startswith("::") for line in result.stderr.splitlines())


def test_format_github_annotates_each_failure(tmp_path: Path) -> None:
    root = _small_project(tmp_path)
    (root / "shop" / ".env.py").write_text("TOKEN = 1\n", encoding="utf-8")
    result = _howto(root, "generate", "shop", "--format", "github")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "::error file=shop/broken.py,line=1,title=howto-ls generate%3A no guide written::(file): "
    )
    assert "does not parse" in lines[0]
    assert lines[1].startswith("::notice file=shop/.env.py,line=1,title=howto-ls generate%3A")
    assert len(lines) == 2
    assert "howto-ls generate: " in result.stderr and " 1 failed " in result.stderr


@pytest.mark.parametrize(
    ("flags", "kept"), [((), FIRST_CALL), (("--verify-examples",), SECOND_CALL)]
)
def test_an_offline_batch_runs_examples_only_when_asked(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    flags: tuple[str, ...],
    kept: str,
) -> None:
    """verifyExamples auto: an offline batch writes its first candidates without running them
    (cheap, like the writer alone); --verify-examples runs them and keeps the one that works."""
    numbers = write_calc(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOWTO_BACKEND", "offline")
    monkeypatch.setenv("HOWTO_CACHE", "off")
    monkeypatch.delenv("HOWTO_VERIFY_EXAMPLES", raising=False)
    verifier = verification.verifier_for(Settings(verify_examples="on"), tmp_path)
    if flags and verifier is None:
        pytest.skip("examples cannot run here")
    status, _, err = run(capsys, "generate", "calc", "--write", "docstring", *flags)
    assert status == 0, err
    assert kept in numbers.read_text(encoding="utf-8")
