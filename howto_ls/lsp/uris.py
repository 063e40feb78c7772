"""The one mapping between document URIs and paths, for every handler of the server.

Editors spell the same file in different ways (LSP 3.17 ``DocumentUri``, RFC 3986, RFC 8089):

- VS Code (``vscode-uri``) percent-encodes every byte but the unreserved ``A-Za-z0-9-._~``
  (and ``/``), lower-cases a drive letter and encodes its colon: ``file:///c%3A/My%20Code/x.py``.
- Neovim (``vim.uri_from_fname``) and Emacs keep ``!$&'()*+,;=:@`` as they are and the drive
  letter as typed: ``file:///C:/My%20Code/x.py``.
- Hex digits may come in either case (``%c3%bc`` and ``%C3%BC``); ``file://localhost/`` is the
  local host; ``file://server/share/x.py`` is a UNC path.

:func:`document_key` reduces every spelling to one key (the URI as VS Code writes it), used to
find open documents; replies keep the spelling the client used for a document (the session looks
it up), and files no client named get :func:`uri_from_path`, VS Code's spelling.

``pygls.uris`` was checked and is not used: ``from_fs_path`` leaves a drive letter's colon
unencoded (VS Code writes ``%3A``), ``to_fs_path`` takes ``file://localhost/x`` for a UNC share,
and both fix the platform at import time, so Windows rules cannot be tested elsewhere.
"""

from __future__ import annotations

import functools
import hashlib
import ntpath
import os
import posixpath
import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

FILE = "file"
UNTITLED = "untitled"
NOTEBOOK_CELL = "vscode-notebook-cell"
WINDOWS = os.name == "nt"
PATH_MAX = 4096
"""Bytes of a path, the terminating NUL included (Linux ``PATH_MAX``; Windows allows 32,767)."""
NAME_MAX = 255
"""Bytes of one file name (POSIX ``NAME_MAX`` on Linux, macOS and Windows file systems)."""
MAX_UNSAVED_NAME = 64
"""Characters of an unsaved buffer's module name after ``unsaved_``."""

_DRIVE = re.compile(r"^/([A-Za-z]):(?=/|$)")  # "/C:/x" in a URI's path
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # RFC 3986 section 3.1


def scheme_of(uri: str) -> str:
    """The lower-cased scheme of ``uri`` (``file``, ``untitled``, ...), or ``""`` if it has none."""
    match = _SCHEME.match(uri)
    return match.group()[:-1].lower() if match else ""


def _decode(text: str) -> str:
    """Percent-decoding (either case of hex digits); bytes that are not UTF-8 survive as
    surrogates (PEP 383), like ``os.fsdecode``."""
    return unquote(text, errors="surrogateescape")


def _encode(text: str, safe: str = "") -> str:
    """Percent-encoding as VS Code writes it: every byte but ``A-Za-z0-9-._~`` and ``safe``."""
    return quote(text, safe=safe, errors="surrogateescape")


def _encode_path(path: str) -> str:
    """A URI path as VS Code writes it: drive letter lower-cased, its colon ``%3A``."""
    drive = _DRIVE.match(path)
    if drive:
        path = f"/{drive.group(1).lower()}{path[2:]}"
    return _encode(path, safe="/")


def fs_path(uri: str, *, windows: bool = WINDOWS) -> str | None:
    """The file-system path of a ``file:`` URI, or None for any other scheme.

    ``windows`` selects the platform's rules (default: this one's): there, a drive letter
    becomes ``c:\\...`` (lower case, like VS Code's ``fsPath``), ``file://server/share/x`` the
    UNC path ``\\\\server\\share\\x`` and ``/`` becomes ``\\``. Elsewhere the decoded path is
    returned as it is (``file://host/x`` gives ``//host/x``). ``.`` and ``..`` segments are
    resolved. ``localhost`` is the local host
    (RFC 8089 section 2).
    """
    if scheme_of(uri) != FILE:
        return None
    parts = urlsplit(uri)
    host = _decode(parts.netloc)
    path = _decode(parts.path) or "/"
    if "\x00" in host + path:  # no file has it (the OS refuses the name): not a file
        return None
    if host.lower() == "localhost":
        host = ""
    if not path.startswith("/"):
        path = f"/{path}"  # "file:C:/x" and "file:x" (RFC 8089 appendix E.2)
    path = _normpath(path, windows=windows)
    if host:
        path = f"//{host}{path}"
    elif windows and (drive := _DRIVE.match(path)):
        path = f"{drive.group(1).lower()}:{path[3:]}"
    return path.replace("/", "\\") if windows else path


def _normpath(path: str, *, windows: bool) -> str:
    """``path`` (absolute, ``/``-separated) with ``.`` and ``..`` segments resolved (RFC 3986
    section 5.2.4). Outside Windows, an empty authority followed by more slashes
    (``file:////tmp/x.py``) names the local ``/tmp/x.py``; on Windows ``//server/share`` stays
    a UNC path (RFC 8089 appendix E.3.2)."""
    if not windows:
        path = "/" + path.lstrip("/")
    return posixpath.normpath(path)


def path_from_uri(uri: str) -> Path | None:
    """The local path of a ``file:`` URI (see :func:`fs_path`), or None for another scheme or a
    path no file can have: a NUL byte, more than :data:`PATH_MAX` bytes, or a name of more than
    :data:`NAME_MAX` bytes."""
    path = fs_path(uri)
    if path is None:
        return None
    encoded = os.fsencode(path)
    if len(encoded) > PATH_MAX or any(len(name) > NAME_MAX for name in encoded.split(b"/")):
        return None
    return Path(path)


def uri_from_fs_path(path: str, *, windows: bool = WINDOWS) -> str:
    """The ``file:`` URI of an absolute path, spelled as VS Code's ``URI.file(path)`` does.

    With ``windows``, ``\\`` separates segments, ``C:\\x`` gives ``file:///c%3A/x`` and
    ``\\\\server\\share\\x`` gives ``file://server/share/x``.
    """
    if windows:
        path = path.replace("\\", "/")
    host = ""
    if path.startswith("//"):
        host, _, rest = path[2:].partition("/")
        path = f"/{rest}"
    elif not path.startswith("/"):  # "C:/x" on Windows, a relative path anywhere
        path = f"/{path}"
    return f"{FILE}://{_encode(host.lower())}{_encode_path(path)}"


def uri_from_path(path: Path) -> str:
    """The ``file:`` URI of ``path`` (made absolute), as VS Code writes it."""
    return uri_from_fs_path(str(Path(os.path.abspath(path))))


@functools.lru_cache(maxsize=4096)
def document_key(uri: str, *, windows: bool = WINDOWS) -> str:
    """One key for every spelling of a document's URI, for looking documents up.

    ``file:`` URIs: decoded and re-encoded as VS Code writes them, drive letter lower-cased,
    ``localhost`` dropped, host lower-cased, ``.``/``..`` segments resolved; on Windows (paths
    compare without case there) the path is also case-folded. Other schemes (``untitled:``,
    ``vscode-notebook-cell:``): scheme and host lower-cased, every part re-encoded the same way.
    Never raises; a key is not a URI to send to the client.
    """
    scheme = scheme_of(uri)
    parts = urlsplit(uri)
    host = _decode(parts.netloc).lower()
    path = _decode(parts.path)
    query, fragment = _decode(parts.query), _decode(parts.fragment)
    if scheme == FILE:
        if host == "localhost":
            host = ""
        absolute = path if path.startswith("/") else f"/{path}"
        path = _normpath(absolute, windows=windows)
        if windows:
            path = ntpath.normcase(path).replace("\\", "/")
    key = f"{scheme}:"
    if host or scheme == FILE:
        key += f"//{_encode(host)}"
    key += _encode_path(path)
    if query:
        key += f"?{_encode(query)}"
    if fragment:
        key += f"#{_encode(fragment)}"
    return key


def same_document(first: str, second: str) -> bool:
    """Whether two URIs name the same document (see :func:`document_key`)."""
    return first == second or document_key(first) == document_key(second)


def display(uri: str) -> str:
    """``uri`` for a message: a ``file:`` URI's path; another decoded (``untitled:Untitled-1``)."""
    path = fs_path(uri)
    return path if path is not None else _decode(uri)


def is_unsaved(uri: str) -> bool:
    """Whether ``uri`` names an editor buffer never saved to a file (``untitled:``)."""
    return scheme_of(uri) == UNTITLED


def is_notebook_cell(uri: str) -> bool:
    """Whether ``uri`` names a cell of a notebook (``vscode-notebook-cell:``)."""
    return scheme_of(uri) == NOTEBOOK_CELL


def unsaved_module(uri: str) -> str:
    """The module name an unsaved buffer's examples import from, saying it is one.

    ``untitled:Untitled-1`` gives ``unsaved_untitled_1``; a buffer with a chosen name
    (``untitled:/home/me/new tool.py``) gives ``unsaved_new_tool``. Always an identifier, of
    at most ``8 + MAX_UNSAVED_NAME`` characters: a longer name is cut and ends in a hash of it.
    """
    name = posixpath.basename(_decode(urlsplit(uri).path)).removesuffix(".py")
    slug = re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").lower()
    if len(slug) > MAX_UNSAVED_NAME:  # a file name has at most 255 bytes (NAME_MAX)
        digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
        slug = f"{slug[: MAX_UNSAVED_NAME - 13].rstrip('_')}_{digest}"
    return f"unsaved_{slug or 'buffer'}"
