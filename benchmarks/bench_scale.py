"""The offline writer at Django's scale, with requests as the yardstick.

Pinned wheels of Django and requests are downloaded once (``pip download --no-deps``, the only
network use) into ``~/.cache/howto-ls/bench-scale/wheels`` and unzipped there; each package's
sources are copied into a fresh project in a temporary folder. Then, each command a fresh
``python -m howto_ls`` process running this checkout, with ``XDG_CACHE_HOME`` (where the guide
cache and anything else howto-ls keeps between runs live) inside the temporary folder, so runs
share nothing with yours or with earlier runs:

1. ``howto-ls generate --backend offline --write sidecar`` over the whole ``requests`` package,
   then the whole ``django`` package: guides written, seconds, guides per second and the peak
   resident memory of the process (``ru_maxrss`` of the rusage ``os.wait4`` returns for that
   child: the largest of it and the processes it waited for). Django's guides per second as a
   share of requests' against the target >= 50 %, Django's peak memory against <= 400 MB.
   A run still going after ``--timeout`` seconds is interrupted (SIGINT, then killed) and the
   guides its sidecar files hold so far are counted. A second ``generate`` over the unchanged
   Django copy follows: it should find its guides up to date, and fast.
2. ``howto-ls doc --backend offline`` (printing, nothing written) of one method in requests,
   two in Django, and the same requests method in the site-packages of a virtualenv in the
   temporary folder that pip installed both wheels into (``--no-deps --no-index``), three runs
   each with a cache folder of its own: the first (cold: the project index is built) and the
   best of the other two (warm: the index comes from the cache database, as for users from
   their second run on), each with its ratio to requests' against the target <= 3x.

    python benchmarks/bench_scale.py [--only requests|django|doc] [--timeout SECONDS]

It prints figures, never asserts them; the machine's cores and the yardstick come last.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yardstick

from howto_ls import sidecar

REPOSITORY = Path(__file__).resolve().parents[1]
PINS = {"requests": "requests==2.32.3", "django": "Django==5.1.4"}
CACHE = Path.home() / ".cache" / "howto-ls" / "bench-scale"
DOC_TARGETS = {
    "requests": "requests/sessions.py::Session.request",
    "django filter": "django/db/models/query.py::QuerySet.filter",
    "django chars": "django/utils/text.py::Truncator.chars",
}
TARGET_SHARE = 50.0  # Django's guides/s as a share of requests', per cent, at least
TARGET_MEMORY_MB = 400.0  # Django's peak resident memory, at most
TARGET_DOC_RATIO = 3.0  # a doc's seconds over requests' doc, at most


@dataclass
class Run:
    """One ``generate`` process: what it wrote, how long it took, its peak memory."""

    label: str
    written: int  # guides written (from the summary, else counted in the sidecar files)
    seconds: float
    peak_mb: float
    finished: bool
    summary: str


def sources(name: str) -> Path:
    """The unzipped wheel of the pinned distribution ``name`` (downloaded once)."""
    wheels = CACHE / "wheels"
    unpacked = CACHE / "unpacked" / PINS[name].replace("==", "-")
    if (unpacked / ".complete").exists():
        return unpacked
    wheels.mkdir(parents=True, exist_ok=True)
    if not list(wheels.glob(f"{PINS[name].replace('==', '-')}-*.whl")):
        download = ["download", "--no-deps", "--quiet", "--disable-pip-version-check"]
        download += ["--only-binary", ":all:", "-d", str(wheels), PINS[name]]
        subprocess.run([sys.executable, "-m", "pip", *download], check=True)
    shutil.rmtree(unpacked, ignore_errors=True)
    with zipfile.ZipFile(wheel(name)) as archive:
        archive.extractall(unpacked)
    (unpacked / ".complete").write_text(PINS[name], encoding="utf-8")
    return unpacked


def wheel(name: str) -> Path:
    """The downloaded wheel of ``name``."""
    return next((CACHE / "wheels").glob(f"{PINS[name].replace('==', '-')}-*.whl"))


def copy_project(name: str, folder: Path) -> Path:
    """A fresh project under ``folder`` holding a copy of the package ``name``'s sources."""
    root = folder / f"{name}-project"
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(f"[project]\nname = 'copy-{name}'\n", "utf-8")
    shutil.copytree(sources(name) / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def environment(folder: Path, cache: str = "on") -> dict[str, str]:
    """This checkout first on the path, the offline backend, caches inside ``folder``
    (``cache``: ``HOWTO_CACHE``, whether guides are reused)."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")])
        ),
        "HOWTO_BACKEND": "offline",
        "HOWTO_CACHE": cache,
        "XDG_CACHE_HOME": str(folder / "cache"),
    }


def sidecar_guides(root: Path) -> int:
    """Guides the sidecar files under ``root/docs/howto`` hold (their blocks, as howto-ls
    reads them)."""
    return sum(
        len(sidecar.read_blocks(path.read_text(encoding="utf-8", errors="replace")))
        for path in (root / "docs" / "howto").rglob("*.md")
    )


def wait(child: subprocess.Popen[bytes], timeout: float) -> tuple[float, bool]:
    """Wait for ``child``: its peak resident memory in MB (``ru_maxrss`` of its rusage from
    ``os.wait4``) and whether it ended within ``timeout`` seconds. A child still running then
    gets SIGINT (it prints its summary) and, 30 seconds later, SIGKILL."""
    deadline, finished = time.monotonic() + timeout, True
    while True:
        pid, _, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = 0  # reaped here, so Popen must not wait for it again
            return usage.ru_maxrss / 1024, finished
        if time.monotonic() > deadline:
            if not finished:
                child.kill()
            else:
                child.send_signal(signal.SIGINT)
                finished, deadline = False, time.monotonic() + 30
        time.sleep(0.2)


def generate(label: str, root: Path, package: str, folder: Path, timeout: float) -> Run:
    """One ``generate --write sidecar`` over ``root/package`` in a fresh process."""
    log = folder / f"{label.replace(' ', '-')}.log"
    command = [sys.executable, "-m", "howto_ls", "generate", "--backend", "offline"]
    command += ["--write", "sidecar", "--no-progress", package]
    before = sidecar_guides(root)
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        child = subprocess.Popen(
            command, cwd=root, env=environment(folder), stdout=out, stderr=subprocess.STDOUT
        )
        peak_mb, finished = wait(child, timeout)
    seconds = time.perf_counter() - started
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    summary = next((line for line in reversed(lines) if line.startswith("howto-ls generate")), "")
    found = re.search(r": (\d+) written", summary)
    # a run stopped before its summary: the guides its sidecar files gained
    written = int(found.group(1)) if found else sidecar_guides(root) - before
    return Run(label, written, seconds, peak_mb, finished, summary)


def virtualenv(folder: Path) -> Path:
    """A virtualenv under ``folder`` that pip installed both wheels into; its site-packages."""
    env = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(env / "bin" / "python"), "install"]
        + ["--quiet", "--disable-pip-version-check", "--no-deps", "--no-index"]
        + [str(wheel(name)) for name in PINS],
        check=True,
    )
    return next(env.glob("lib/python*/site-packages"))


def doc_seconds(
    target: Path, spelled: str, folder: Path, runs: int = 3
) -> tuple[float, float, str]:
    """``howto-ls doc --backend offline`` of ``spelled`` (a ``path::Qual.name`` under
    ``target``) ``runs`` times with a cache folder of its own: the first run's seconds (cold:
    the project index is built), the best of the others (warm: the index comes from the cache
    database, as it does for users from their second run on; offline guides are never cached,
    so every run writes its guide), and the last run's error if it failed."""
    first, best, error = 0.0, float("inf"), ""
    cache = Path(tempfile.mkdtemp(prefix="doc-", dir=folder))
    for run in range(runs):
        started = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "howto_ls",
                "doc",
                "--backend",
                "offline",
                f"{target}/{spelled}",
            ],
            cwd=folder,
            env=environment(cache),
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        if run == 0:
            first = seconds
        else:
            best = min(best, seconds)
        error = result.stderr.strip().splitlines()[-1] if result.returncode else ""
    return first, best, error


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
        for r in [header, *rows]
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def verdict(met: bool) -> str:
    """PASS or MISS."""
    return "PASS" if met else "MISS"


def report_generate(runs: list[Run], timeout: float, roots: dict[str, Path]) -> None:
    """The table of ``generate`` runs and the targets."""
    rows = [
        [
            run.label,
            str(run.written),
            f"{run.seconds:.1f}",
            f"{run.written / run.seconds:.1f}" if run.seconds else "-",
            f"{run.peak_mb:.0f}",
            "yes" if run.finished else f"no (stopped at {timeout:.0f} s)",
        ]
        for run in runs
    ]
    header = ["generate --write sidecar", "guides written", "s", "guides/s", "peak RSS MB", "ended"]
    print(table(header, rows))
    print("peak RSS: ru_maxrss of the rusage os.wait4 returned for each fresh child")
    for run in runs:
        print(f"  {run.label}: {run.summary or '(no summary line)'}")
        if not run.finished:
            print(
                f"  {run.label}: did not finish in {timeout:.0f} s; {run.written} guides"
                " written so far (its summary, else the blocks its sidecar files gained)"
            )
    by_label = {run.label: run for run in runs}
    requests_run, django_run = by_label.get("requests"), by_label.get("django")
    if django_run is not None:
        print(
            f"django peak RSS {django_run.peak_mb:.0f} MB (target <= {TARGET_MEMORY_MB:.0f} MB):"
            f" {verdict(django_run.peak_mb <= TARGET_MEMORY_MB)}"
        )
    if requests_run is not None and django_run is not None and requests_run.written:
        # a run stopped by --timeout counts what it wrote in the time it had
        share = (
            100
            * (django_run.written / django_run.seconds)
            / (requests_run.written / requests_run.seconds)
        )
        print(
            f"django guides/s = {share:.0f} % of requests' (target >= {TARGET_SHARE:.0f} %):"
            f" {verdict(share >= TARGET_SHARE)}"
        )


def report_doc(roots: dict[str, Path], folder: Path) -> None:
    """The table of single ``doc`` runs, cold and warm, each with its ratio to requests'."""
    measured: list[tuple[str, str, float, float, str]] = []
    for label, spelled in DOC_TARGETS.items():
        root = roots[label.split()[0]]
        cold, warm, error = doc_seconds(root, spelled, folder)
        measured.append((label, f"{root.name}/{spelled}", cold, warm, error))
    site_packages = virtualenv(folder)
    cold, warm, error = doc_seconds(site_packages, DOC_TARGETS["requests"], folder)
    shown = f"<venv>/{site_packages.relative_to(folder / 'venv')}/{DOC_TARGETS['requests']}"
    measured.append(("site-packages requests", shown, cold, warm, error))
    base_cold, base_warm = measured[0][2], measured[0][3]
    rows = [
        [
            label,
            target,
            f"{cold:.2f}",
            f"{cold / base_cold:.1f}x",
            f"{warm:.2f}",
            f"{warm / base_warm:.1f}x",
            verdict(warm / base_warm <= TARGET_DOC_RATIO) if index else "-",
        ]
        for index, (label, target, cold, warm, _) in enumerate(measured)
    ]
    header = ["doc --backend offline", "target", "cold s", "vs requests", "warm s",
              "vs requests", "warm <= 3x"]  # fmt: skip
    print(table(header, rows))
    print("cold: the first doc in a project (index built); warm: best of the next two")
    for label, _, _, _, error in measured:
        if error:
            print(f"  {label} failed: {error}")


def main() -> int:
    """Run the chosen parts and print their tables, the cores and the yardstick."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["requests", "django", "doc"], help="one part only")
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds a generate run may take (1800)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as name:
        folder = Path(name)
        roots = {package: copy_project(package, folder) for package in PINS}
        runs: list[Run] = []
        for package in PINS:
            if args.only in (None, package):
                print(f"generate over {package} ...", flush=True)
                runs.append(generate(package, roots[package], package, folder, args.timeout))
        if args.only in (None, "django"):
            print("generate over the unchanged django copy again ...", flush=True)
            runs.append(generate("django again", roots["django"], "django", folder, args.timeout))
        if runs:
            report_generate(runs, args.timeout, roots)
        if args.only in (None, "doc"):
            report_doc(roots, folder)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(yardstick.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
