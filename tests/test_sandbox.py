"""``howto_ls.sandbox``: hostile commands run for real under bubblewrap, unshare and none.

Every command is a real Python subprocess; servers listen on 127.0.0.1 only; every wait is
bounded. The temporary folders are made under a folder of the test's own, so leftovers are seen.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from howto_ls import sandbox, sandbox_mounts
from tests.processes import running

ISOLATIONS = ["bwrap", "unshare", "none"]
NAMESPACED = ["bwrap", "unshare"]


@pytest.fixture(params=ISOLATIONS)
def isolation(request: pytest.FixtureRequest) -> str:
    """Each mechanism that works on this machine (bubblewrap is installed by ``.ci/run``)."""
    return _available(request.param)


@pytest.fixture(params=NAMESPACED)
def namespaced(request: pytest.FixtureRequest) -> str:
    """Each mechanism with a network namespace of its own."""
    return _available(request.param)


def _available(choice: str) -> str:
    try:
        return sandbox.mechanism(choice)
    except sandbox.SandboxError as exc:
        pytest.skip(str(exc))


@pytest.fixture(autouse=True)
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary-files folder of this test's own; nothing may be left in it."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert list(folder.iterdir()) == []


def contained(
    code: str,
    isolation: str,
    *,
    timeout: float = 20,
    limits: sandbox.Limits | None = None,
    extra: dict[str, str] | None = None,
    readable: list[Path] | None = None,
    python: str = sys.executable,
) -> sandbox.Outcome:
    """``python -c code`` run by :func:`sandbox.run` in a temporary folder removed afterwards;
    ``readable`` stays visible under bubblewrap."""
    with tempfile.TemporaryDirectory(prefix="howto-example-") as name:
        folder = Path(name)
        env = sandbox.environment(folder, extra=extra)
        return sandbox.run(
            [python, "-c", code],
            folder=folder,
            env=env,
            timeout=timeout,
            limits=limits,
            isolation=isolation,
            readable=readable or (),
        )


def test_only_allowlisted_variables_pass_and_home_is_the_commands_own(
    isolation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOWTO_API_KEY", "sk-howto-decoy-1234")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-decoy-5678")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-decoy")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    code = (
        "import json, os, subprocess, sys\n"
        "child = subprocess.run(['env'], capture_output=True, text=True).stdout\n"
        "print(json.dumps([dict(os.environ), child]))\n"
    )
    done = contained(code, isolation)
    assert done.returncode == 0, done.stderr
    assert done.isolation == isolation
    assert "decoy" not in done.stdout
    env, child = json.loads(done.stdout)
    assert "HOWTO_API_KEY" not in child and "OPENAI_API_KEY" not in child
    assert env["LC_ALL"] == "C.UTF-8" and env["PATH"] == os.environ["PATH"]
    folder = Path(env["HOME"]).parent
    assert folder.name.startswith("howto-example-")
    for name in ("TMPDIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"):
        assert Path(env[name]).is_relative_to(folder), name
    allowed = {"PATH", "LANG", "LANGUAGE", "TZ", "PYTHONHOME", "PYTHONPATH", "MALLOC_ARENA_MAX"}
    inside = {"HOME", "TMPDIR", "PWD"} | {n for n in env if n.startswith(("XDG_", "LC_"))}
    assert set(env) <= allowed | inside, set(env) - allowed - inside


def test_writes_outside_the_folder_are_refused_under_bubblewrap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _available("bwrap")
    project = tmp_path / "project"
    project.mkdir()
    keep = project / "keep.py"
    keep.write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path / "decoy-home"))
    code = (
        "import os\n"
        f"for path in [{str(keep)!r}]:\n"
        "    try:\n"
        "        os.remove(path)\n"
        "    except OSError as exc:\n"
        "        print('refused', exc.errno)\n"
        f"open({str(project / 'new.txt')!r}, 'w')\n"
    )
    done = contained(code, "bwrap", readable=[project])  # under /tmp: hidden but for this
    assert "refused 30" in done.stdout  # EROFS
    assert "Read-only file system" in done.stderr
    assert keep.read_text(encoding="utf-8") == "VALUE = 1\n"
    assert sorted(p.name for p in project.iterdir()) == ["keep.py"]


def test_the_home_folder_and_the_hosts_temporary_files_are_hidden_under_bubblewrap(
    isolation: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_home = Path.home()
    marker = f"howto-secret-{uuid.uuid4().hex}"  # in the files, not in their names
    decoy = tmp_path / "decoy-home"
    (decoy / ".ssh").mkdir(parents=True)
    key = decoy / ".ssh" / "id_ed25519"
    key.write_text(f"{marker}-key\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(decoy))
    if not Path("/tmp").is_dir():
        pytest.skip("no /tmp on this system")
    host_file = Path("/tmp") / f"howto-host-{uuid.uuid4().hex}"  # another process's file
    host_file.write_text(f"{marker}-tmp\n", encoding="utf-8")
    code = (
        "import json, os\n"
        "seen = {}\n"
        f"for path in [{str(key)!r}, {str(host_file)!r}]:\n"
        "    try:\n"
        "        seen[path] = open(path).read()\n"
        "    except OSError as exc:\n"
        "        seen[path] = type(exc).__name__\n"
        f"seen['home'] = sorted(os.listdir({str(real_home)!r}))\n"
        "seen['tmp'] = sorted(os.listdir('/tmp'))\n"
        "open('written', 'w').write('the own folder works')\n"
        "print(json.dumps(seen))\n"
    )
    try:
        done = contained(code, isolation)
    finally:
        host_file.unlink()
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    if isolation != "bwrap":  # what the README says unshare and none do not protect
        assert seen[str(key)] == f"{marker}-key\n"
        return
    assert marker not in done.stdout + done.stderr
    assert seen[str(key)] == seen[str(host_file)] == "FileNotFoundError"
    # only the first folder of each path shown again (the interpreter's, the command's own)
    shown = [*sandbox_mounts.own_paths(), Path(tempfile.gettempdir())]
    assert set(seen["home"]) == _first_parts(shown, real_home)
    assert set(seen["tmp"]) == _first_parts(shown, Path("/tmp"))


def _first_parts(paths: list[Path], under: Path) -> set[str]:
    """The names in ``under`` that lead to one of ``paths`` (by real path)."""
    found = set()
    for path in paths:
        real = Path(os.path.realpath(path))
        if real.is_relative_to(under) and real != under:
            found.add(real.relative_to(under).parts[0])
    return found


def test_an_interpreter_in_the_hidden_home_still_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _available("bwrap")
    home = tmp_path / "decoy-home"
    (home / "bin").mkdir(parents=True)
    (home / "alias").symlink_to(Path(sys.executable).parent)
    python = home / "bin" / "python"
    python.symlink_to(Path("..") / "alias" / Path(sys.executable).name)  # two links, one relative
    monkeypatch.setenv("HOME", str(home))
    code = (
        "import json, os, sys\n"
        "print(json.dumps([sys.executable, os.path.islink(sys.executable),\n"
        "                  os.path.realpath(sys.executable), os.listdir(os.path.dirname(\n"
        "                  sys.executable))]))\n"
    )
    readable = list(sandbox_mounts.interpreter_paths(str(python)))
    done = contained(code, "bwrap", python=str(python), readable=readable)
    assert done.returncode == 0, done.stderr
    executable, is_link, real, listed = json.loads(done.stdout)
    assert (executable, is_link) == (str(python), True)
    assert real == os.path.realpath(sys.executable)
    assert listed == ["python"]  # the rest of the decoy home stays hidden


def test_the_hosts_loopback_is_out_of_reach_and_the_commands_own_works(
    namespaced: str,
) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    port = server.getsockname()[1]
    accepted: list[object] = []
    done_listening = threading.Event()

    def listen() -> None:
        while not done_listening.is_set():
            try:
                accepted.append(server.accept())
            except TimeoutError:
                continue

    listener = threading.Thread(target=listen)
    listener.start()
    try:
        # a child interpreter has no audit hook: only the namespace stands in its way
        reach = (
            "import socket, sys\n"
            "try:\n"
            f"    socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
            "    print('reached the host')\n"
            "except OSError as exc:\n"
            "    print('unreachable', type(exc).__name__)\n"
            "own = socket.create_server(('127.0.0.1', 0))\n"
            "socket.create_connection(own.getsockname(), timeout=3)\n"
            "print('own loopback works')\n"
        )
        code = f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {reach!r}])\n"
        done = contained(code, namespaced)
    finally:
        done_listening.set()
        listener.join(5)
        server.close()
    assert "unreachable" in done.stdout and "reached the host" not in done.stdout, done.stderr
    assert "own loopback works" in done.stdout
    assert accepted == []


def test_the_hosts_unix_sockets_in_run_are_out_of_reach(namespaced: str) -> None:
    """A service's socket in ``/run`` (``docker.sock``, the D-Bus system bus) cannot be
    reached: ``/run`` is hidden under an empty folder (a network namespace does not cover
    Unix sockets in the file system)."""
    folder = Path("/run") / f"howto-test-{uuid.uuid4().hex}"
    try:
        folder.mkdir()
    except OSError as exc:
        pytest.skip(f"cannot make a folder in /run: {exc}")
    server = socket.socket(socket.AF_UNIX)
    accepted: list[object] = []
    try:
        path = folder / "service.sock"
        server.bind(str(path))
        path.chmod(0o777)
        server.listen()
        server.settimeout(0.2)
        code = (
            "import os, socket\n"
            "s = socket.socket(socket.AF_UNIX)\n"
            "try:\n"
            f"    s.connect({str(path)!r})\n"
            "    print('reached the service')\n"
            "except OSError as exc:\n"
            "    print('unreachable', type(exc).__name__)\n"
            "print(sorted(os.listdir('/run')), sorted(os.listdir('/var/run')))\n"
        )
        done = contained(code, namespaced)
        with contextlib.suppress(TimeoutError):
            accepted.append(server.accept())
    finally:
        server.close()
        (folder / "service.sock").unlink(missing_ok=True)
        folder.rmdir()
    assert done.returncode == 0, done.stderr
    assert "unreachable FileNotFoundError" in done.stdout
    assert folder.name not in done.stdout  # /run and /var/run show nothing of the host's
    assert accepted == []


def test_a_4_gib_allocation_is_stopped_and_the_caller_stays_small(isolation: str) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    done = contained("data = bytearray(4 * 1024 ** 3)\nprint(len(data))\n", isolation)
    assert done.returncode == 1 and "MemoryError" in done.stderr
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert after - before < 50 * 1024  # KiB on Linux


def test_output_is_kept_as_head_and_tail_never_whole(isolation: str) -> None:
    code = (
        "import sys\n"
        "sys.stdout.write('HEAD\\n')\n"
        "chunk = 'x' * (1 << 20)\n"
        "for _ in range(200):\n"
        "    sys.stdout.write(chunk)\n"
        "sys.stdout.write('\\nTAIL\\n')\n"
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    limits = sandbox.Limits(output=1 << 30, kept=4096)
    done = contained(code, isolation, limits=limits)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert done.returncode == 0 and done.limit == ""
    assert done.stdout.startswith("HEAD\n") and done.stdout.endswith("\nTAIL\n")
    assert f"[... {200 * (1 << 20) + 11 - 2 * 4096} bytes of output left out ...]" in done.stdout
    assert len(done.stdout) < 3 * 4096
    assert after - before < 50 * 1024
    # past the output limit the command is stopped
    endless = contained("while True:\n    print('y' * 1000)\n", isolation, timeout=30)
    assert endless.limit == sandbox.OUTPUT and endless.returncode is None
    assert endless.seconds < 20 and len(endless.stdout) < 3 * sandbox.Limits().kept


def test_a_double_forked_grandchild_ends_with_the_command(isolation: str, tmp_path: Path) -> None:
    marker = f"howto-grandchild-{uuid.uuid4().hex}"
    written = tmp_path / marker
    sleeper = f"import time; time.sleep(2); open({str(written)!r}, 'w').write('late')"
    code = (
        "import os, subprocess, sys\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        os.execv(sys.executable, [sys.executable, '-c', {sleeper!r}, {marker!r}])\n"
        "    os._exit(0)\n"
        "os.wait()\n"
        "print('parent done')\n"
    )
    done = contained(code, isolation, timeout=10)
    assert done.returncode == 0 and "parent done" in done.stdout, done.stderr
    assert done.seconds < 2  # it did not wait for the grandchild
    assert not running(marker)
    time.sleep(3)
    assert not written.exists()


def test_a_command_that_ignores_sigterm_and_never_ends_is_stopped_in_time(isolation: str) -> None:
    code = (
        "import os, signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "while True:\n"
        "    time.sleep(0.1)\n"
    )
    started = time.perf_counter()
    done = contained(code, isolation, timeout=2)
    assert done.timed_out and done.returncode is None
    assert time.perf_counter() - started < 2 + sandbox.GRACE + 1.5


def test_a_cancel_event_stops_the_command_at_once(isolation: str) -> None:
    cancel = threading.Event()
    timer = threading.Timer(0.5, cancel.set)
    timer.start()
    with tempfile.TemporaryDirectory(prefix="howto-example-") as name:
        folder = Path(name)
        done = sandbox.run(
            [sys.executable, "-c", "import time\nwhile True:\n    time.sleep(0.1)\n"],
            folder=folder,
            env=sandbox.environment(folder),
            timeout=60,
            isolation=isolation,
            cancel=cancel,
        )
    timer.join()
    assert done.cancelled and not done.timed_out and done.returncode is None
    assert done.seconds < 0.5 + 0.5 + sandbox.GRACE


def test_cpu_time_and_file_size_limits(isolation: str) -> None:
    spin = contained("while True:\n    pass\n", isolation, limits=sandbox.Limits(cpu=1))
    assert spin.limit == sandbox.CPU_TIME and not spin.timed_out
    big = contained(
        "open('big', 'wb').write(b'x' * (2 << 20))\n",
        isolation,
        limits=sandbox.Limits(file_size=1 << 20),
    )
    assert big.returncode == 1 and "[Errno 27] File too large" in big.stderr


def test_the_choice_of_mechanism(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sandbox.SANDBOX_VARIABLE, "jail")
    with pytest.raises(sandbox.SandboxError, match=r"^HOWTO_SANDBOX=jail is not a sandbox: use"):
        sandbox.requested()
    monkeypatch.setenv(sandbox.SANDBOX_VARIABLE, "None")
    assert sandbox.requested() == "none"
    assert sandbox.mechanism("none") == "none"
    with pytest.raises(sandbox.SandboxError, match="sandbox-exec sandbox does not work here"):
        if sys.platform == "darwin":
            pytest.skip("sandbox-exec exists on macOS")
        sandbox.mechanism("sandbox-exec")
    none = sandbox.notice("none")
    assert none is not None and "\n" not in none
    assert none.startswith("examples run without OS isolation")
    assert "apt install bubblewrap" in none
    assert sandbox.notice("bwrap") is None
    assert "read-only" in (sandbox.notice("unshare") or "")
