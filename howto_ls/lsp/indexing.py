"""Keeping the project index (:mod:`howto_ls.offline.index`) in step with the editor.

Open documents are indexed from the editor's text (``didOpen``/``didChange``), closed ones from
disk again (``didClose``); files saved, created, deleted or renamed (``didSave``, the LSP
``workspace/didChangeWatchedFiles`` notifications and the ``workspace/did{Create,Rename,
Delete}Files`` file operations) are read again when next asked for. Nothing is parsed here:
the index reads a changed file lazily, when a rule first needs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lsprotocol import types

from howto_ls.lsp.uris import is_unsaved, path_from_uri
from howto_ls.offline import index

PYTHON_FILES = "**/*.{py,pyi}"
"""The glob the server asks clients to watch (LSP ``FileSystemWatcher.globPattern``)."""

WATCHER_REGISTRATION = "howto-ls-python-files"

FILE_OPERATIONS = types.FileOperationRegistrationOptions(
    filters=[
        types.FileOperationFilter(
            pattern=types.FileOperationPattern(glob="**/*.py"), scheme="file"
        ),
        types.FileOperationFilter(
            pattern=types.FileOperationPattern(
                glob="**/*", matches=types.FileOperationPatternKind.Folder
            ),
            scheme="file",
        ),
    ]
)
"""Files and folders whose creation, rename or deletion the client reports (a renamed folder
moves every module under it)."""


def _file(uri: str) -> Path | None:
    if is_unsaved(uri):
        return None
    path = path_from_uri(uri)
    return None if path is None else Path(path).resolve()


def document_text(uri: str, text: str) -> None:
    """The editor holds ``text`` for ``uri`` (``didOpen``/``didChange``)."""
    path = _file(uri)
    if path is not None and path.suffix == ".py":
        index.index_of(path).set_text(path, text)


def document_closed(uri: str) -> None:
    """The editor closed ``uri``: index the file on disk again."""
    path = _file(uri)
    if path is not None:
        index.index_of(path).forget_text(path)


def files_changed(uris: Iterable[str]) -> None:
    """Files (or folders) at ``uris`` were saved, created, deleted or renamed."""
    for uri in uris:
        path = _file(uri)
        if path is not None:
            index.file_changed(path)


def watcher_registration() -> types.RegistrationParams:
    """The dynamic registration asking the client to report Python file events
    (``workspace/didChangeWatchedFiles``, LSP 3.17)."""
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=PYTHON_FILES)]
    )
    return types.RegistrationParams(
        registrations=[
            types.Registration(
                id=WATCHER_REGISTRATION,
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=options,
            )
        ]
    )
