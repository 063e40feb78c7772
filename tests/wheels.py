"""Real installed distributions for tests: a wheel (PEP 427) written from a dict of files and
installed by pip, offline, into a fresh virtualenv or a ``--target`` folder."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import venv
import zipfile
from pathlib import Path


def build_wheel(folder: Path, name: str, version: str, files: dict[str, str]) -> Path:
    """A pure-Python wheel of distribution ``name`` holding ``files`` (archive path -> text),
    with the METADATA, WHEEL and RECORD files installers read; its path under ``folder``."""
    dist_info = f"{name}-{version}.dist-info"
    contents = {
        **files,
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
        f"{dist_info}/top_level.txt": "".join(
            sorted({path.split("/")[0].removesuffix(".py") + "\n" for path in files})
        ),
    }
    record = []
    for path, text in contents.items():
        data = text.encode("utf-8")
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}\n")
    record.append(f"{dist_info}/RECORD,,\n")
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in contents.items():
            archive.writestr(path, text)
        archive.writestr(f"{dist_info}/RECORD", "".join(record))
    return wheel


def pip_install(wheel: Path, *, python: Path | None = None, target: Path | None = None) -> None:
    """``pip install --no-index --no-deps wheel``, run by this interpreter's pip, into the
    environment of ``python`` or into the folder ``target``; no network."""
    command = [sys.executable, "-m", "pip"]
    command += ["--python", str(python)] if python is not None else []
    command += ["install", "--no-index", "--no-deps", "--quiet", "--disable-pip-version-check"]
    command += ["--target", str(target)] if target is not None else []
    subprocess.run([*command, str(wheel)], check=True, capture_output=True, timeout=120)


def virtualenv_with(wheel: Path, folder: Path) -> Path:
    """A virtualenv at ``folder`` (without pip of its own) with ``wheel`` installed into it;
    its site-packages folder."""
    venv.create(folder, with_pip=False)
    pip_install(wheel, python=folder / "bin" / "python")
    return next(folder.glob("lib/python*/site-packages"))
