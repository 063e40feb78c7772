"""The server's state: settings, client flags, the engine, and access to open documents."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from howto_ls import __version__, config
from howto_ls.cache import GuideCache
from howto_ls.engine import Engine, ExistingGuide
from howto_ls.lsp.capabilities import ClientFlags
from howto_ls.lsp.convert import path_from_uri, uri_from_path
from howto_ls.lsp.positions import PositionConverter
from howto_ls.sourcefile import read_source

logger = logging.getLogger("howto_ls.server")

PYTHON_SUFFIXES = (".py", ".pyi")


class HowtoServer(LanguageServer):
    """A pygls server holding howto-ls's state; handlers live in :mod:`howto_ls.server`."""

    def __init__(self) -> None:
        super().__init__("howto-ls", __version__)
        self.flags = ClientFlags()
        self.base_settings = config.from_environment()
        self.settings = self.base_settings
        self.root = Path.cwd()
        self._engine: Engine | None = None
        self._engine_users: dict[Engine, int] = {}
        self._cache: GuideCache | None = None  # one connection for the session, made on first use
        self._preview_engine: Engine | None = None
        self._shown_warnings: set[str] = set()
        self._guides: dict[str, tuple[int | None, str, list[ExistingGuide]]] = {}
        self._background: set[asyncio.Future[None]] = set()

    # settings ---------------------------------------------------------------------------

    def configure(self, options: object, *, initial: bool = False) -> None:
        """Apply a ``howto`` settings object; invalid values warn and keep their default."""
        if initial:
            self.base_settings = config.from_lsp(options, self.base_settings)
            new = self.base_settings
        else:
            new = config.from_lsp(options, replace(self.base_settings))
        self.settings = new
        retired, self._engine = self._engine, None
        if retired is not None and retired not in self._engine_users:
            self._close_later(retired)  # one in use is closed when its last user is done
        self._preview_engine = None
        self._guides.clear()
        for warning in new.warnings:
            if warning not in self._shown_warnings:
                self._shown_warnings.add(warning)
                self.show(warning, types.MessageType.Warning)

    @property
    def guide_cache(self) -> GuideCache:
        """The cache of model guides, one connection for the session, made on first use."""
        if self._cache is None:
            self._cache = GuideCache()
        return self._cache

    @property
    def engine(self) -> Engine:
        """The engine for the current settings and root."""
        if self._engine is None:
            self._engine = Engine(self.settings, self.root, cache=self.guide_cache)
        return self._engine

    @contextlib.contextmanager
    def engine_in_use(self) -> Iterator[Engine]:
        """The current engine, kept open until the caller is done even if settings change."""
        engine = self.engine
        self._engine_users[engine] = self._engine_users.get(engine, 0) + 1
        try:
            yield engine
        finally:
            self._engine_users[engine] -= 1
            if not self._engine_users[engine]:
                del self._engine_users[engine]
                if engine is not self._engine:
                    self._close_later(engine)

    def _close_later(self, engine: Engine) -> None:
        """Close a replaced engine's connections in the background."""
        try:
            task = asyncio.get_running_loop().create_task(engine.aclose())
        except RuntimeError:  # no loop (settings given before the server runs): nothing open
            return
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    @property
    def preview_engine(self) -> Engine:
        """An engine with the offline backend, for instant hover previews."""
        if self._preview_engine is None:
            self._preview_engine = Engine(replace(self.settings, backend="offline"), self.root)
        return self._preview_engine

    def warm_up(self) -> None:
        """Prepare the model backend in a thread, so the first guide does not wait for it."""
        task = asyncio.get_running_loop().create_task(asyncio.to_thread(self._warm_up))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _warm_up(self) -> None:
        try:
            self.engine.warm_up()
        except Exception:  # only an optimisation: the first request will say what is wrong
            logger.debug("warm-up failed", exc_info=True)

    def describe_backend(self) -> str:
        """Where guides come from, for the start-up log line; never contains a key."""
        try:
            return self.engine.backend.describe()
        except Exception as exc:  # a broken backend must not stop the server from starting
            return f"unavailable ({exc})"

    # messages ---------------------------------------------------------------------------

    def show(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        """Show ``message`` to the user and log it."""
        logger.log(_LEVELS.get(kind, logging.INFO), "%s", message, extra=_SENT)
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        """Log ``message`` to stderr and the client's log."""
        logger.log(_LEVELS.get(kind, logging.INFO), "%s", message, extra=_SENT)
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    # documents --------------------------------------------------------------------------

    def python_document(self, uri: str) -> tuple[TextDocument, Path] | None:
        """The open document at ``uri`` and its path, if it is a local Python file."""
        path = path_from_uri(uri)
        if path is None:
            return None
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        language = (document.language_id or "").lower()
        if language != "python" and path.suffix not in PYTHON_SUFFIXES:
            return None
        return document, path

    def open_document(self, path: Path) -> TextDocument | None:
        """The open document for ``path``, if the editor has it open."""
        document: TextDocument | None = self.workspace.text_documents.get(uri_from_path(path))
        return document

    def current_text(self, path: Path) -> tuple[str, int | None]:
        """The text of ``path`` as the editor sees it (open buffer first), and its version."""
        document = self.open_document(path)
        if document is not None:
            return document.source, document.version
        return read_source(path).text, None

    def converter(self, text: str) -> PositionConverter:
        """A position converter for ``text`` in the negotiated encoding."""
        return PositionConverter(text, self.flags.position_encoding)

    def guides(self, uri: str, document: TextDocument, path: Path) -> list[ExistingGuide]:
        """The guides written for ``document``'s symbols, cached per document version."""
        source = document.source
        cached = self._guides.get(uri)
        if cached is not None and cached[0] == document.version and cached[1] == source:
            return cached[2]
        found = self.engine.guides_in(path, source)
        self._guides[uri] = (document.version, source, found)
        return found

    def forget(self, uri: str) -> None:
        """Drop cached state for a closed document."""
        self._guides.pop(uri, None)

    def forget_all(self) -> None:
        """Drop every cached guide list (a sidecar may have changed)."""
        self._guides.clear()

    def initialize_from(self, params: types.InitializeParams) -> None:
        """Record the client's flags, the project root and ``initializationOptions``."""
        self.flags = ClientFlags.from_capabilities(
            params.capabilities, self.workspace.position_encoding
        )
        root = self.workspace.root_path
        if root:
            self.root = Path(root)
        elif params.workspace_folders:
            folder = path_from_uri(params.workspace_folders[0].uri)
            if folder is not None:
                self.root = folder
        self.configure(params.initialization_options, initial=True)

    def settings_section(self, value: Any) -> object:
        """The ``howto`` section inside a ``didChangeConfiguration`` payload, if any."""
        if isinstance(value, dict) and isinstance(value.get("howto"), dict):
            return value["howto"]
        return None


class ClientLogHandler(logging.Handler):
    """Forwards howto-ls warnings and errors to the client's log (``window/logMessage``)."""

    def __init__(self, server: LanguageServer) -> None:
        super().__init__(logging.WARNING)
        self.server = server

    def emit(self, record: logging.LogRecord) -> None:
        """Send one record's first line; records already sent to the client are skipped."""
        if getattr(record, "howto_sent", False):
            return
        kind = (
            types.MessageType.Error
            if record.levelno >= logging.ERROR
            else types.MessageType.Warning
        )
        message = record.getMessage().splitlines()[0] if record.getMessage() else record.name
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            message = f"{message}: {type(exc).__name__}: {exc}"
        try:
            self.server.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # no client yet, or it went away: stderr has the record anyway
            self.handleError(record)


_SENT = {"howto_sent": True}
_LEVELS = {
    types.MessageType.Error: logging.ERROR,
    types.MessageType.Warning: logging.WARNING,
    types.MessageType.Info: logging.INFO,
    types.MessageType.Log: logging.DEBUG,
}
