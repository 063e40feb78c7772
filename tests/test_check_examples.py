"""``howto-ls check --examples`` end to end: real guides in real files, run in subprocesses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import jsonschema
import pytest

from howto_ls import sandbox
from howto_ls.examples_run import (
    FAILS,
    HIT_LIMIT,
    NEEDS_DEPENDENCY,
    NEEDS_NETWORK,
    NEEDS_TERMINAL,
    OK,
    TIMEOUT,
    run_example,
)
from tests.processes import running

SOURCE = """\
def passes() -> int:
    return 1


def fails() -> int:
    return 2


def online() -> int:
    return 3


def hangs() -> int:
    return 4


def asks() -> int:
    return 5
"""

EXAMPLES = {
    "fails": "from pkg.mod import fails\n\nraise ValueError('the example is broken')\n",
    "online": (
        "import socket\n\nfrom pkg.mod import online\n\n"
        "socket.create_connection(('192.0.2.1', 80), timeout=30)\n"
    ),
    "hangs": "import time\n\nfrom pkg.mod import hangs\n\ntime.sleep(60)\n",
    "asks": "from pkg.mod import asks\n\nprint(input('Your name? '))\n",
}


def howto(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m howto_ls ARGS`` offline, with this checkout importable; ``env`` on top."""
    root = Path(__file__).resolve().parent.parent
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd),
        "HOWTO_BACKEND": "offline",
        "PYTHONPATH": str(root),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "howto_ls", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def replace_example(source: str, function: str, code: str) -> str:
    """``source`` with the Usage Example in ``function``'s docstring replaced by ``code``."""
    start = source.index(f"def {function}(")
    fence = source.index("```python\n", start) + len("```python\n")
    end = source.index("    ```", fence)
    indented = "".join(f"    {line}\n" if line else "\n" for line in code.splitlines())
    return source[:fence] + indented + source[end:]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose four functions carry guides; three examples replaced by bad ones."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'pkg'\n", encoding="utf-8")
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    module = package / "mod.py"
    module.write_text(SOURCE, encoding="utf-8")
    result = howto("generate", "pkg/mod.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = module.read_text(encoding="utf-8")
    for function, code in EXAMPLES.items():
        text = replace_example(text, function, code)
    module.write_text(text, encoding="utf-8")
    return tmp_path


def test_check_examples_lists_failures_counts_network_apart_and_changes_nothing(
    project: Path,
) -> None:
    module = project / "pkg" / "mod.py"
    before = module.read_bytes()
    result = howto("check", "pkg", "--examples", "--timeout", "5", cwd=project)
    assert module.read_bytes() == before
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    line_of = {
        name: before.decode().splitlines().index(f"def {name}() -> int:") + 1
        for name in ("passes", "fails", "online", "hangs", "asks")
    }
    assert (
        f"pkg/mod.py:{line_of['fails']}: fails: example fails: "
        "ValueError: the example is broken" in lines
    )
    assert (
        f"pkg/mod.py:{line_of['hangs']}: hangs: example fails: did not finish within 5 s"
        " (the --timeout limit): make the example finish sooner, or allow it more time,"
        " e.g. --timeout 10" in lines
    )
    assert (
        f"pkg/mod.py:{line_of['online']}: online: example needs network: "
        "socket.getaddrinfo 192.0.2.1" in lines
    )
    assert (
        f"pkg/mod.py:{line_of['asks']}: asks: example needs a terminal: "
        "read standard input at end of file" in lines
    )
    passes = [line for line in lines if ": passes:" in line]
    assert len(passes) == 1, lines
    assert passes[0].startswith(f"pkg/mod.py:{line_of['passes']}: passes: example runs")
    assert (
        "6 examples run: 2 ok, 2 failing, 1 needing the network (refused), 1 needing a terminal"
        in result.stderr
    )


def test_check_examples_as_json_and_as_github_annotations(project: Path) -> None:
    from tests.test_check import FINDINGS_SCHEMA

    result = howto("check", "pkg", "--examples", "--timeout", "3", "--format", "json", cwd=project)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)  # the one document, examples included
    jsonschema.validate(document, FINDINGS_SCHEMA)
    examples = {record["qualname"]: record for record in document["examples"]}
    assert {name: examples[name]["status"] for name in [*EXAMPLES, "passes"]} == {
        "passes": "ok",
        "fails": "fails",
        "online": "needs-network",
        "hangs": "timeout",
        "asks": "needs-terminal",
    }
    assert 3 <= examples["hangs"]["elapsed"] < 60
    assert "e.g. --timeout 6" in examples["hangs"]["detail"]
    assert examples["fails"]["detail"] == "ValueError: the example is broken"
    summary = document["summary"]["examples"]
    assert (summary["ran"], summary["failing"], summary["needs_network"]) == (6, 2, 1)

    result = howto(
        "check", "pkg", "--examples", "--timeout", "3", "--format", "github", cwd=project
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 2, lines  # fails and hangs
    assert any(
        "title=howto-ls%3A example fails::fails: example fails: ValueError" in e for e in errors
    )
    assert any(
        line.startswith("::warning ") and "title=howto-ls%3A example needs network" in line
        for line in lines
    )
    assert not any(": passes:" in line or "::passes" in line for line in lines)
    assert "6 examples run:" in result.stderr


def test_check_examples_passes_when_every_example_runs(project: Path) -> None:
    module = project / "pkg" / "mod.py"
    text = module.read_text(encoding="utf-8")
    for function in EXAMPLES:
        text = replace_example(text, function, f"from pkg.mod import {function}\n\nprint(1)\n")
    module.write_text(text, encoding="utf-8")
    result = howto("check", "pkg", "--examples", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 examples run: 6 ok, 0 failing" in result.stderr
    assert howto("check", "pkg", cwd=project).returncode == 0  # without --examples: no run


def test_loopback_is_allowed_and_everything_else_refused_before_any_packet() -> None:
    loopback = (
        "import socket\n"
        "server = socket.create_server(('127.0.0.1', 0))\n"
        "client = socket.create_connection(server.getsockname())\n"
        "print('connected')\n"
    )
    run = run_example(loopback)
    assert run.status == OK and "connected" in run.output
    # a TEST-NET address (RFC 5737) and a name: refused by the audit hook, never sent
    for code, detail in [
        ("import socket\nsocket.socket().connect(('192.0.2.1', 80))\n", "socket.connect 192.0.2.1"),
        (
            "import urllib.request\nurllib.request.urlopen('http://example.com', timeout=30)\n",
            "socket.getaddrinfo example.com",
        ),
    ]:
        run = run_example(code)
        assert (run.status, run.detail) == (NEEDS_NETWORK, detail), run.output
        assert "network refused while running the example" in run.output


def test_failures_timeouts_and_the_working_folder() -> None:
    run = run_example("import os\nprint(os.getcwd())\nraise SystemExit('no')\n")
    assert run.status == FAILS and run.detail == "no"
    assert re.search(r"howto-example-\w+", run.output)
    assert run_example("while True:\n    pass\n", timeout=1).status == TIMEOUT


def test_terminal_use_is_told_apart_from_failures() -> None:
    prompts = run_example("name = input('Your name? ')\n")
    assert prompts.status == NEEDS_TERMINAL
    assert prompts.detail == "read standard input at end of file"
    tty = run_example("open('/dev/tty')\n")
    assert (tty.status, tty.detail) == (NEEDS_TERMINAL, "opened /dev/tty")
    assert "no terminal while running the example" in tty.output
    # the editor named by EDITOR/VISUAL never waits: it records the call and exits with 1
    editor = run_example(
        "import os, subprocess\nsubprocess.run([os.environ['VISUAL'], 'notes.txt'], check=True)\n",
        timeout=10,
    )
    assert (editor.status, editor.detail) == (NEEDS_TERMINAL, "started an editor: notes.txt")
    # reading empty standard input in an example that then works is fine
    assert run_example("import sys\nprint(repr(sys.stdin.read()))\n").status == OK


def test_an_import_error_raised_by_a_call_needs_an_optional_dependency(tmp_path: Path) -> None:
    package = tmp_path / "codecs_pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        "def decoder():\n"
        "    try:\n"
        "        import no_such_codec_module\n"
        "    except ImportError:\n"
        "        raise ImportError(\"decoder() needs 'no_such_codec_module': \"\n"
        '                          "pip install codecs_pkg[extra]") from None\n',
        encoding="utf-8",
    )
    run = run_example("from codecs_pkg import decoder\n\ndecoder()\n", paths=[tmp_path])
    assert run.status == NEEDS_DEPENDENCY
    assert "needs 'no_such_codec_module'" in run.detail
    # the example's own import of something missing is a failure, not an optional extra
    missing = run_example("from codecs_pkg import encoder\n", paths=[tmp_path])
    assert missing.status == FAILS and missing.detail.startswith("ImportError")
    assert run_example("import no_such_codec_module\n").status == FAILS


def test_an_interpreter_that_cannot_run_examples_is_refused_before_anything_runs(
    project: Path, tmp_path: Path
) -> None:
    old = tmp_path / "python3.6"
    old.write_text("#!/bin/sh\necho 3.6\n", encoding="utf-8")
    old.chmod(0o755)
    not_python = tmp_path / "not-python"
    not_python.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    not_python.chmod(0o755)
    module = project / "pkg" / "mod.py"
    before = module.read_bytes()
    cases = {
        str(tmp_path / "missing" / "python"): "does not exist",
        str(tmp_path): "is not an executable program",
        str(not_python): "is not a Python interpreter",
        str(old): "is Python 3.6; examples need Python 3.8 or later",
    }
    for python, reason in cases.items():
        result = howto("check", "pkg", "--examples", "--python", python, cwd=project)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert f"cannot run the examples: {python} {reason}" in result.stderr
        assert "examples run" not in result.stderr  # nothing ran, nothing was counted
    assert module.read_bytes() == before


@pytest.mark.parametrize("seconds", ["0", "-1", "nan", "soon"])
def test_a_timeout_must_be_a_positive_number_of_seconds(project: Path, seconds: str) -> None:
    result = howto("check", "pkg", "--examples", "--timeout", seconds, cwd=project)
    assert result.returncode == 2
    assert "argument --timeout:" in result.stderr


KEY = "sk-howto-decoy-0123456789"


@pytest.mark.parametrize("isolation", ["bwrap", "none"])
def test_hostile_examples_leave_home_project_and_key_alone(
    project: Path, tmp_path: Path, isolation: str
) -> None:
    try:
        sandbox.mechanism(isolation)
    except sandbox.SandboxError as exc:
        pytest.skip(str(exc))
    unique = f"howto-pwned-{uuid.uuid4().hex}"
    home = tmp_path / "decoy-home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("decoy key\n", encoding="utf-8")
    (home / ".bashrc").write_text("# decoy\n", encoding="utf-8")
    decoys = {p: p.read_bytes() for p in home.rglob("*") if p.is_file()}
    keep = project / "pkg" / "keep.py"
    keep.write_text("VALUE = 1\n", encoding="utf-8")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    late = tmp_path / f"{unique}-late"
    leak = (
        "import os, pathlib, subprocess\n"
        "key = subprocess.run(['sh', '-c', 'echo key=$HOWTO_API_KEY$OPENAI_API_KEY'],\n"
        "                     capture_output=True, text=True).stdout\n"
        f"pathlib.Path('~/{unique}').expanduser().write_text(key)\n"
        f"pathlib.Path({str(project / unique)!r}).write_text(key)\n"
    )
    hostile = {
        "passes": (
            "import os, pathlib\n\n"
            f"pathlib.Path('~/{unique}').expanduser().write_text('x')\n"
            "pathlib.Path('~/.bashrc').expanduser().write_text('pwned')\n"
            f"os.remove({str(keep)!r})\n"
        ),
        "fails": leak,
        "online": "data = bytearray(4 * 1024 ** 3)\n",
        "hangs": "import sys\n\nchunk = 'x' * (1 << 20)\nfor _ in range(200):\n"
        "    sys.stdout.write(chunk)\n",
        "asks": "import os, time\n\nif os.fork() == 0:\n    os.setsid()\n"
        f"    time.sleep(2)\n    open({str(late)!r}, 'w').write('late')\n",
    }
    module = project / "pkg" / "mod.py"
    text = module.read_text(encoding="utf-8")
    for function, code in hostile.items():
        text = replace_example(text, function, code)
    module.write_text(text, encoding="utf-8")
    env = {
        "HOME": str(home),
        "TMPDIR": str(temporary),
        "HOWTO_API_KEY": KEY,
        "OPENAI_API_KEY": KEY,
        "HOWTO_SANDBOX": isolation,
    }
    result = howto("check", "pkg", "--examples", "--timeout", "10", cwd=project, env=env)
    assert KEY not in result.stdout + result.stderr
    assert {p: p.read_bytes() for p in home.rglob("*") if p.is_file()} == decoys
    assert not (Path.home() / unique).exists()
    written = project / unique  # writable without bubblewrap, but the key never came
    assert not written.exists() if isolation == "bwrap" else written.read_text() == "key=\n"
    assert list(temporary.iterdir()) == []  # no howto-example-* folder left
    lines = result.stdout.splitlines()
    assert any(
        ": online: example hit a limit: memory limit: more than 1 GiB of address space" in line
        for line in lines
    ), result.stdout
    assert any(
        ": hangs: example hit a limit: output limit: more than 16 MiB" in line for line in lines
    )
    notices = [line for line in result.stderr.splitlines() if "without OS isolation" in line]
    if isolation == "bwrap":
        assert keep.read_text(encoding="utf-8") == "VALUE = 1\n"  # the project is read-only
        assert any(": passes: example fails: " in line for line in lines)
        assert notices == []
    else:
        assert notices == [sandbox.notice("none")]
    time.sleep(3)
    assert not late.exists()  # the forked child ended with its example


def test_a_run_past_its_memory_limit_is_told_apart() -> None:
    run = run_example("data = bytearray(4 * 1024 ** 3)\n")
    assert run.status == HIT_LIMIT
    assert run.detail == "memory limit: more than 1 GiB of address space (MemoryError)"
    endless = run_example("while True:\n    print('y' * 1000)\n", timeout=30)
    assert (endless.status, endless.detail) == (
        HIT_LIMIT,
        "output limit: more than 16 MiB of output, stopped",
    )
    assert len(endless.output) < 3 * sandbox.Limits().kept


def test_an_unknown_sandbox_is_one_line(project: Path) -> None:
    result = howto("check", "pkg", "--examples", cwd=project, env={"HOWTO_SANDBOX": "jail"})
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "HOWTO_SANDBOX=jail is not a sandbox: use one of auto, bwrap" in result.stderr


@pytest.mark.parametrize("isolation", ["bwrap", "none"])
def test_an_example_cannot_read_the_home_folder_or_the_hosts_temporary_files(
    project: Path, tmp_path: Path, isolation: str
) -> None:
    try:
        sandbox.mechanism(isolation)
    except sandbox.SandboxError as exc:
        pytest.skip(str(exc))
    secret = f"howto-secret-{uuid.uuid4().hex}"  # in the files, never in their names
    home = tmp_path / "decoy-home"
    (home / ".ssh").mkdir(parents=True)
    key = home / ".ssh" / "id_ed25519"
    key.write_text(f"{secret}-key\n", encoding="utf-8")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    if not Path("/tmp").is_dir():
        pytest.skip("no /tmp on this system")
    host_file = Path("/tmp") / f"howto-host-{uuid.uuid4().hex}"  # another process's file
    host_file.write_text(f"{secret}-tmp\n", encoding="utf-8")
    module = project / "pkg" / "mod.py"
    text = module.read_text(encoding="utf-8")
    # what it read is the last line of the error, which the report prints
    text = replace_example(text, "fails", f"raise SystemExit(open({str(key)!r}).read())\n")
    text = replace_example(text, "hangs", f"raise SystemExit(open({str(host_file)!r}).read())\n")
    module.write_text(text, encoding="utf-8")
    env = {"HOME": str(home), "TMPDIR": str(temporary), "HOWTO_SANDBOX": isolation}
    try:
        result = howto("check", "pkg", "--examples", "--timeout", "10", cwd=project, env=env)
    finally:
        host_file.unlink()
    report = result.stdout + result.stderr
    if isolation == "none":  # what the README says the file system is open to without one
        assert f"{secret}-key" in report and f"{secret}-tmp" in report
        return
    assert secret not in report
    lines = result.stdout.splitlines()
    for path in (key, host_file):
        assert any(
            f"example fails: FileNotFoundError: [Errno 2] No such file or directory: '{path}'"
            in line
            for line in lines
        ), result.stdout
    passes = [line for line in lines if ": passes:" in line]  # the project still imports
    assert len(passes) == 1 and ": passes: example runs" in passes[0], lines


def test_a_virtualenv_in_the_home_folder_runs_the_examples(project: Path, tmp_path: Path) -> None:
    try:
        sandbox.mechanism("bwrap")
    except sandbox.SandboxError as exc:
        pytest.skip(str(exc))
    home = tmp_path / "decoy-home"
    home.mkdir()
    venv = home / ".virtualenvs" / "pkg"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)],
        check=True,
        timeout=120,
    )
    module = project / "pkg" / "mod.py"
    text = module.read_text(encoding="utf-8")
    for function in EXAMPLES:
        code = (
            f"import sys\n\nimport httpx\n\nfrom pkg.mod import {function}\n\n"
            f"assert sys.prefix == {str(venv)!r}, sys.prefix\n"
        )
        text = replace_example(text, function, code)
    module.write_text(text, encoding="utf-8")
    env = {"HOME": str(home), "HOWTO_SANDBOX": "bwrap"}
    python = str(venv / "bin" / "python")
    result = howto("check", "pkg", "--examples", "--python", python, cwd=project, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 examples run: 6 ok, 0 failing" in result.stderr


@pytest.mark.parametrize("isolation", ["bwrap", "none"])
def test_the_projects_own_interpreter_never_runs_outside_the_sandbox(
    project: Path, tmp_path: Path, isolation: str
) -> None:
    """A cloned project that ships ``.venv/bin/python`` (a script) has it asked its version and
    its paths: those questions run contained too, with the clean environment."""
    try:
        sandbox.mechanism(isolation)
    except sandbox.SandboxError as exc:
        pytest.skip(str(exc))
    home = tmp_path / "decoy-home"
    home.mkdir()
    marks = tmp_path / "marks"
    marks.mkdir()
    venv = project / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    python = venv / "bin" / "python"
    written = [home / "ran", project / "ran", marks / "ran"]
    python.write_text(
        "#!/bin/sh\n"
        + "".join(f'echo "key=$HOWTO_API_KEY" >> {p}\n' for p in written)
        + f'exec {sys.executable} "$@"\n',
        encoding="utf-8",
    )
    python.chmod(0o755)
    env = {"HOME": str(home), "HOWTO_API_KEY": KEY, "HOWTO_SANDBOX": isolation}
    result = howto("check", "pkg", "--examples", "--timeout", "5", cwd=project, env=env)
    assert "6 examples run: 2 ok" in result.stderr, result.stdout + result.stderr
    if isolation == "bwrap":  # nothing it ran could write anywhere outside its own folder
        assert [p for p in written if p.exists()] == []
        return
    # without a sandbox the example itself runs unprotected by design; the key never comes
    lines = (marks / "ran").read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 3 and set(lines) == {"key="}  # version, examples (paths: bwrap only)


def test_a_grandchild_that_kills_its_subreaper_still_ends_with_the_run(project: Path) -> None:
    """Without a sandbox an example can kill the prelude that adopts its orphans: howto-ls
    itself adopts them then, and ends them when the run ends."""
    if not sys.platform.startswith("linux"):
        pytest.skip("child subreapers are Linux's")
    seconds = f"61.{uuid.uuid4().int % 10**9:09d}"  # its command line tells it apart
    code = (
        "import os, signal, time\n\n"
        "parent = os.getppid()\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        os.execvp('sleep', ['sleep', {seconds!r}])\n"
        "    os._exit(0)\n"
        "time.sleep(0.3)\n"
        "os.kill(parent, signal.SIGKILL)\n"
    )
    module = project / "pkg" / "mod.py"
    module.write_text(replace_example(module.read_text("utf-8"), "passes", code), "utf-8")
    env = {"HOWTO_SANDBOX": "none"}
    result = howto("check", "pkg", "--examples", "--timeout", "3", cwd=project, env=env)
    assert "6 examples run" in result.stderr, result.stderr
    assert not running(seconds)


@pytest.mark.parametrize("isolation", ["bwrap", "none"])
def test_sigterm_stops_the_running_examples_and_removes_their_folders(
    project: Path, tmp_path: Path, isolation: str
) -> None:
    try:
        sandbox.mechanism(isolation)
    except sandbox.SandboxError as exc:
        pytest.skip(str(exc))
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    root = Path(__file__).resolve().parent.parent
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(project),
        "HOWTO_BACKEND": "offline",
        "PYTHONPATH": str(root),
        "TMPDIR": str(temporary),
        "HOWTO_SANDBOX": isolation,
    }
    check = subprocess.Popen(
        [sys.executable, "-m", "howto_ls", "check", "pkg", "--examples", "--timeout", "60"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started = time.monotonic() + 60
        while not list(temporary.glob("howto-example-*")) and time.monotonic() < started:
            time.sleep(0.1)
        time.sleep(1)  # the examples are running: "hangs" sleeps for 60 s
        assert check.poll() is None
        sent = time.monotonic()
        check.terminate()
        _, stderr = check.communicate(timeout=20)
        took = time.monotonic() - sent
    finally:
        if check.poll() is None:
            check.kill()
            check.wait()
    assert check.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert took < 5
    assert list(temporary.iterdir()) == []


def test_a_pth_file_naming_the_home_folder_does_not_show_it_again(
    project: Path, tmp_path: Path
) -> None:
    try:
        sandbox.mechanism("bwrap")
    except sandbox.SandboxError as exc:
        pytest.skip(str(exc))
    secret = f"howto-secret-{uuid.uuid4().hex}"
    home = tmp_path / "decoy-home"
    (home / ".ssh").mkdir(parents=True)
    key = home / ".ssh" / "id_ed25519"
    key.write_text(f"{secret}\n", encoding="utf-8")
    venv = project / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_path('purelib'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "zz_home.pth").write_text(f"{home}\n{tmp_path}\n", encoding="utf-8")
    module = project / "pkg" / "mod.py"
    code = f"from pkg.mod import fails\n\nraise SystemExit(open({str(key)!r}).read())\n"
    module.write_text(replace_example(module.read_text("utf-8"), "fails", code), "utf-8")
    env = {"HOME": str(home), "HOWTO_SANDBOX": "bwrap"}
    result = howto("check", "pkg", "--examples", "--timeout", "5", cwd=project, env=env)
    assert secret not in result.stdout + result.stderr
    assert f"No such file or directory: '{key}'" in result.stdout, result.stdout + result.stderr


def test_each_example_that_runs_says_whether_it_demonstrates(project: Path) -> None:
    module = project / "pkg" / "mod.py"
    text = module.read_text(encoding="utf-8")
    text = replace_example(text, "fails", "from pkg.mod import fails\n\nfails()\nprint(fails)\n")
    text = replace_example(text, "online", "from pkg.mod import online\n\nprint(online())\n")
    text = replace_example(text, "hangs", "import pkg.mod\n\nprint(None)\n")
    text = replace_example(text, "asks", "from pkg.mod import asks\n\nassert asks() == 5\n")
    module.write_text(text, encoding="utf-8")
    result = howto("check", "pkg", "--examples", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    said = {line.split(": ")[1]: line.split(": ", 2)[2] for line in lines}
    assert said["fails"] == "example runs but does not demonstrate: printed a function object"
    assert said["online"] == "example runs and demonstrates (body 1/1 lines)"
    assert said["hangs"] == "example runs but does not demonstrate: never reached the body of hangs"
    assert said["asks"] == "example runs and demonstrates (body 1/1 lines)"  # an assert ran
    assert said["passes"].startswith("example runs")
    assert "6 examples run: 6 ok, 0 failing" in result.stderr
    demonstrating = sum(": example runs and demonstrates" in line for line in lines)
    assert f"; {demonstrating} of the 6 that run demonstrate" in result.stderr

    required = howto("check", "pkg", "--require-demonstrate", cwd=project)
    assert required.returncode == 1, required.stdout + required.stderr
    assert required.stdout.splitlines() == lines  # the same report; now it fails the check
    assert f"6 examples run: {demonstrating} ok, {6 - demonstrating} failing" in required.stderr
