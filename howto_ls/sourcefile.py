"""Reading and writing Python source files exactly: encoding, BOM, newlines and mode kept."""

from __future__ import annotations

import codecs
import contextlib
import functools
import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path

from howto_ls.config import DEFAULT_MAX_FILE_SIZE
from howto_ls.errors import FileTooLargeError, NotWritableError, SourceError

_DEFAULT_MODE = 0o666


@dataclass
class _Limits:
    max_file_size: int = DEFAULT_MAX_FILE_SIZE


_LIMITS = _Limits()


def set_size_limit(limit: int) -> None:
    """Make ``limit`` bytes the largest file read from now on (the ``maxFileSize`` setting).

    The limit is one for the whole process: every part that reads a file (the symbol's own
    module, sibling modules read as context) honours it without each being handed settings.
    """
    _LIMITS.max_file_size = limit


def size_limit() -> int:
    """The largest file read, in bytes (see :func:`set_size_limit`)."""
    return _LIMITS.max_file_size


def too_large(path: Path, size: int) -> FileTooLargeError | None:
    """The error for ``path`` of ``size`` bytes when it is over the limit, else None."""
    if size <= _LIMITS.max_file_size:
        return None
    limit = _megabytes(_LIMITS.max_file_size)
    return FileTooLargeError(
        f"{path.name} is {_megabytes(size)}, over the {limit} limit: skipped; raise"
        " maxFileSize (HOWTO_MAX_FILE_SIZE, in bytes) to read it"
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"


@dataclass(frozen=True)
class SourceFile:
    """A decoded source file: its text with newlines as on disk, its encoding, and its BOM."""

    text: str
    encoding: str = "utf-8"
    bom: bool = False


def decode_source(data: bytes, path: Path) -> SourceFile:
    """Decode ``data`` like Python does (PEP 263 cookie or BOM), keeping every newline as is."""
    name = path.name
    nul = data.find(b"\x00")
    if nul >= 0:
        raise SourceError(
            f"{name} contains a NUL byte at offset {nul}; it is binary, not Python source"
        )
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "missing encoding declaration" not in str(exc):
            raise SourceError(f"{name} has a bad coding line ({exc}); fix or remove it") from None
        encoding = "utf-8"  # no cookie and not UTF-8: decoding below names the bad byte
    bom = encoding == "utf-8-sig"
    codec = "utf-8" if bom else codecs.lookup(encoding).name
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(codecs.BOM_UTF8) if bom else 0)
        label = "UTF-8" if codec == "utf-8" else codec
        raise SourceError(
            f"{name} is not {label} text (byte 0x{body[exc.start]:02x} at offset {offset}); "
            "save it as UTF-8 or add a coding line"
        ) from None
    return SourceFile(text=text, encoding=codec, bom=bom)


def read_source(path: Path) -> SourceFile:
    """Read and decode the Python file at ``path``.

    Raises :class:`SourceError` when it cannot be read or decoded, or is larger than the size
    limit (:func:`size_limit`; checked before a byte is read).
    """
    try:
        error = too_large(path, path.stat().st_size)
        if error is not None:
            raise error
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SourceError(f"cannot read {path}: {reason}; check the path and permissions") from None
    return decode_source(data, path)


def encode_source(text: str, like: SourceFile | None, path: Path) -> bytes:
    """``text`` encoded like ``like`` (UTF-8 without BOM when None)."""
    encoding = like.encoding if like else "utf-8"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start]
        raise SourceError(
            f"cannot write {path.name}: {char!r} cannot be encoded as {encoding}; "
            "convert the file to UTF-8"
        ) from None
    return (codecs.BOM_UTF8 + data) if like and like.bom else data


def write_source(
    path: Path, text: str, like: SourceFile | None = None, *, root: Path | None = None
) -> None:
    """Write ``text`` atomically, keeping ``like``'s encoding and BOM and the file's mode.

    With ``root``, a ``path`` whose real location (symlinks resolved) is outside that project
    root is refused (:class:`NotWritableError`). A file or folder marked read-only is refused
    too, even where the user could write it anyway (root, or an atomic replace that only needs
    the folder): its bytes and mode stay as they are. Other failures raise
    :class:`SourceError`.
    """
    if root is not None:
        from howto_ls.project import require_inside

        require_inside(path, root)
    data = encode_source(text, like, path)
    target = path.resolve() if path.is_symlink() else path
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            status: os.stat_result | None = target.stat()
        except FileNotFoundError:
            status = None
        if status is not None and _read_only(target, status):
            raise NotWritableError(
                f"{path.name} is read-only: not written; make it writable (chmod u+w) and run again"
            )
        if _read_only(folder, folder.stat(), os.W_OK | os.X_OK):
            raise NotWritableError(
                f"the folder {folder} is read-only: {path.name} not written; make it writable"
                " (chmod u+w) and run again"
            )
        if status is not None:
            mode = stat.S_IMODE(status.st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = _DEFAULT_MODE & ~umask
        handle, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temp_name, mode)
            if status is not None:
                _keep_owner(temp_name, status)
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        _fsync_folder(folder)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SourceError(
            f"cannot write {path}: {reason}; check that the folder is writable"
        ) from None


def _read_only(path: Path, status: os.stat_result, access: int = os.W_OK) -> bool:
    """Whether ``path`` is marked read-only for this user (its mode bits, see chmod(1)).

    ``os.access`` answers for ordinary users; the superuser may write anything, so for it a
    file counts as read-only when no write bit is set at all (``chmod a-w``, mode 0444).
    """
    mode = status.st_mode
    if getattr(os, "geteuid", lambda: 0)() == 0:
        return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    return not os.access(path, access)


def _keep_owner(temp_name: str, status: os.stat_result) -> None:
    """Give the new file the old one's owner and group where this user may (root may)."""
    chown = getattr(os, "chown", None)
    if chown is None:
        return
    with contextlib.suppress(OSError):  # an ordinary user keeps their own, as editors do
        chown(temp_name, status.st_uid, status.st_gid)


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable where the platform allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def newline_of(text: str) -> str:
    """The first line ending used in ``text``: ``"\\r\\n"``, ``"\\r"`` or ``"\\n"`` (default)."""
    for index, char in enumerate(text):
        if char == "\n":
            return "\n"
        if char == "\r":
            return "\r\n" if text.startswith("\n", index + 1) else "\r"
    return "\n"


def cached_text(path: Path) -> str | None:
    """The text of ``path`` decoded as UTF-8, read again only when its modification time or
    size changes (for files read many times while examples are built); None when the file
    cannot be read or decoded, or is over the size limit."""
    try:
        status = path.stat()
    except OSError:
        return None
    if status.st_size > _LIMITS.max_file_size:
        return None
    return _cached_text(path, status.st_mtime_ns, status.st_size)


def context_text(path: Path, errors: str = "strict") -> str | None:
    """The UTF-8 text of a file read only as context (a sibling module, an import), or None
    when it cannot be read or decoded, or is over the size limit: such a file is skipped."""
    try:
        if path.stat().st_size > _LIMITS.max_file_size:
            return None
        return path.read_text(encoding="utf-8", errors=errors)
    except (OSError, UnicodeDecodeError):
        return None


@functools.lru_cache(maxsize=2048)
def _cached_text(path: Path, mtime_ns: int, size: int) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
