"""Fingerprints of every offline guide: proof that a change to the writer changed nothing else.

For each package ``bench_examples.py`` pins (installed the same way, into its cached
virtualenv: the only network use), the package's sources are copied into a temporary project
and ``howto-ls generate --backend offline --write docstring`` writes a guide into every public
symbol's docstring there, as a user would run it; nothing outside the temporary folder is
written. Each guide read back from the docstrings gets a SHA-256 (of its Markdown and the
docstring's text before it; the fingerprint marker, which only follows the code, left out); the
script prints one hash per package and one over all of them. Then
``generate --force`` runs over the same copy and the guides it rewrote differently are
counted: a second run over unchanged code must write the same bytes.

    python benchmarks/guide_hashes.py [--package NAME ...] [--save FILE] [--compare FILE]

``--save`` stores every symbol's hash as JSON; ``--compare`` reads such a file and lists the
symbols whose guide changed, appeared or disappeared since (exit status 1 when any did).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import bench_examples
import yardstick

from howto_ls import project
from howto_ls.discovery import python_files
from howto_ls.edits import read_docstring_guides

Hashes = dict[str, dict[str, str]]
"""Distribution pin -> ``module:qualname`` -> SHA-256 of that symbol's guide."""

REPOSITORY = Path(__file__).resolve().parents[1]


def digest(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8), in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def generate(root: Path, packages: tuple[str, ...], *extra: str) -> str:
    """``howto-ls generate`` (offline, into docstrings) over ``packages`` under ``root``, in a
    fresh interpreter running this checkout, with its caches inside ``root``'s parent; its
    summary line."""
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")])
        ),
        "HOWTO_BACKEND": "offline",
        "HOWTO_CACHE": "off",
        # the writer's guides alone: no example runs choosing among candidates
        "HOWTO_VERIFY_EXAMPLES": "off",
        "XDG_CACHE_HOME": str(root.parent / "cache"),
    }
    command = [sys.executable, "-m", "howto_ls", "generate", "--write", "docstring"]
    command += ["--no-progress", "--include-private", "--include-tests", *extra, *packages]
    result = subprocess.run(
        command, check=False, cwd=root, env=environment, capture_output=True, text=True
    )
    if result.returncode not in (0, 1):  # 1: some symbols failed, which the hashes show
        raise SystemExit(f"generate failed in {root}: {result.stderr.strip()[-2000:]}")
    return result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""


def read_guides(root: Path, packages: tuple[str, ...]) -> dict[str, str]:
    """``module:qualname`` -> SHA-256 of its docstring's guide and the text before it (the
    summary line howto-ls writes into a docstring it creates), for every guide under ``root``."""
    found: dict[str, str] = {}
    for package in packages:
        for path in python_files([root / package]):
            module = project.module_name(path, root)
            guides = read_docstring_guides(path.read_text(encoding="utf-8"))
            for qualname, guide in guides.items():
                found[f"{module}:{qualname}"] = digest(f"{guide.intro}\n{guide.markdown}")
    return dict(sorted(found.items()))


def package_hashes(
    pin: str, packages: tuple[str, ...], venv: Path, folder: Path
) -> tuple[dict[str, str], list[str]]:
    """The guide hashes of one pinned distribution, and the symbols ``generate --force`` then
    wrote differently."""
    root = folder / pin.split("==", maxsplit=1)[0]
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(f"[project]\nname = 'copy-{root.name}'\n", "utf-8")
    source = bench_examples.site_packages(venv)
    for package in packages:
        shutil.copytree(
            source / package, root / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    print(f"  {pin}: {generate(root, packages)}", flush=True)
    first = read_guides(root, packages)
    generate(root, packages, "--force")
    second = read_guides(root, packages)
    return first, changed(first, second)


def combined(hashes: dict[str, str]) -> str:
    """One SHA-256 over ``name hash`` lines, in name order."""
    return digest("".join(f"{name} {value}\n" for name, value in sorted(hashes.items())))


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The names whose hash differs, or that only one side has, marked ``+``/``-`` then."""
    names = sorted(before.keys() | after.keys())
    return [
        ("+ " if name not in before else "- " if name not in after else "  ") + name
        for name in names
        if before.get(name) != after.get(name)
    ]


def main() -> int:
    """Print the hashes; with ``--compare``, the symbols whose guide changed (status 1)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", action="append", help="a pinned distribution, e.g. click")
    parser.add_argument("--save", type=Path, help="write every symbol's hash to FILE (JSON)")
    parser.add_argument("--compare", type=Path, help="list the guides that differ from FILE")
    args = parser.parse_args()
    chosen = {
        pin: packages
        for pin, packages in bench_examples.PACKAGES.items()
        if not args.package or pin.split("==")[0].lower() in {p.lower() for p in args.package}
    }
    venv = bench_examples.virtualenv()
    os.environ["VIRTUAL_ENV"] = str(venv)  # as bench_examples.py runs the writer
    hashes: Hashes = {}
    unstable: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for pin, packages in chosen.items():
            hashes[pin], rewritten = package_hashes(pin, packages, venv, Path(folder))
            unstable += rewritten
            print(f"{combined(hashes[pin])}  {pin} ({len(hashes[pin])} guides)")
    overall = digest("".join(f"{pin} {combined(h)}\n" for pin, h in hashes.items()))
    print(f"{overall}  all ({sum(len(h) for h in hashes.values())} guides)")
    print(f"generate --force then wrote {len(unstable)} guides differently")
    for name in unstable:
        print(f"  {name}")
    if args.save:
        args.save.write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n", "utf-8")
    status = 0
    if args.compare:
        saved: Hashes = json.loads(args.compare.read_text(encoding="utf-8"))
        differ = [line for pin in hashes for line in changed(saved.get(pin, {}), hashes[pin])]
        print(f"{len(differ)} guides differ from {args.compare}")
        for line in differ:
            print(f"  {line}")
        status = 1 if differ else 0
    print(yardstick.line())
    return status


if __name__ == "__main__":
    sys.exit(main())
