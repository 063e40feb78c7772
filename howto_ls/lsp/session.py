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
from pygls.exceptions import FeatureRequestError
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from howto_ls import __version__, config
from howto_ls.cache import GuideCache
from howto_ls.engine import Engine, ExistingGuide, Inventory
from howto_ls.errors import PromptTemplateError, StaleDocumentError
from howto_ls.lsp.capabilities import ClientFlags
from howto_ls.lsp.positions import PositionConverter
from howto_ls.lsp.protocol import HowtoProtocol
from howto_ls.lsp.uris import (
    document_key,
    is_unsaved,
    path_from_uri,
    unsaved_module,
    uri_from_path,
)
from howto_ls.prompt import load_template
from howto_ls.redact import redact
from howto_ls.sourcefile import read_source

logger = logging.getLogger("howto_ls.server")

PYTHON_SUFFIXES = (".py", ".pyi")


class HowtoServer(LanguageServer):
    """A pygls server holding howto-ls's state; handlers live in :mod:`howto_ls.server`."""

    def __init__(self) -> None:
        super().__init__("howto-ls", __version__, protocol_cls=HowtoProtocol)
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
        self._inventories: dict[str, tuple[int | None, str, Inventory]] = {}
        self._unsaved: dict[Path, str] = {}  # the path standing for each unsaved buffer's URI
        # Multi-root workspaces: settings a folder's scoped configuration gave, and its engines.
        self._folder_settings: dict[Path, config.Settings] = {}
        self._folder_engines: dict[Path, Engine] = {}
        self._preview_engines: dict[Path, Engine] = {}
        self._background: set[asyncio.Future[None]] = set()

    # settings ---------------------------------------------------------------------------

    def configure(self, options: object, *, initial: bool = False) -> None:
        """Apply a ``howto`` settings object; invalid values warn and keep their default."""
        if initial:
            self.base_settings = config.from_lsp(options, self.base_settings)
            new = self.base_settings
        else:
            new = config.from_lsp(options, replace(self.base_settings))
        new = self._allowed_prompt_file(new)
        self.settings = new
        retired, self._engine = self._engine, None
        self._retire(retired)
        self._preview_engine = None
        self._folder_settings.clear()
        for engine in self._folder_engines.values():
            self._retire(engine)
        self._folder_engines.clear()
        self._preview_engines.clear()
        self._guides.clear()
        self._inventories.clear()
        self._warn(new)

    def configure_folder(self, folder: Path, options: object) -> None:
        """Apply the ``howto`` settings a client gave for one workspace folder (``scopeUri``)."""
        new = self._allowed_prompt_file(
            config.from_lsp(options, replace(self.base_settings)), folder
        )
        if new == self._folder_settings.get(folder, self.settings):
            return
        self._folder_settings[folder] = new
        self._retire(self._folder_engines.pop(folder, None))
        self._preview_engines.pop(folder, None)
        self._guides.clear()
        self._inventories.clear()
        self._warn(new)

    def configuration_items(self) -> list[types.ConfigurationItem]:
        """What to ask ``workspace/configuration``: the ``howto`` section, then per folder.

        Answers go to :meth:`configure_answers` in the same order.
        """
        return [types.ConfigurationItem(section="howto")] + [
            types.ConfigurationItem(section="howto", scope_uri=uri) for uri, _ in self._folders()
        ]

    def configure_answers(self, values: list[Any]) -> None:
        """Apply the answers to :meth:`configuration_items`: global first, then each folder's."""
        self.configure(values[0] if values else None)
        if len(self._folders()) < 2:
            return  # one folder: its settings are the global answer
        for (_, folder), value in zip(self._folders(), values[1:], strict=False):
            self.configure_folder(folder, value)

    def _warn(self, settings: config.Settings) -> None:
        for warning in settings.warnings:
            if warning not in self._shown_warnings:
                self._shown_warnings.add(warning)
                self.show(warning, types.MessageType.Warning)

    def _retire(self, engine: Engine | None) -> None:
        """Close a replaced engine, now or, when in use, after its last user is done."""
        if engine is not None and engine not in self._engine_users:
            self._close_later(engine)

    # workspace folders --------------------------------------------------------------------

    def _folders(self) -> list[tuple[str, Path]]:
        """The workspace folders on disk: (URI as the client sent it, path)."""
        folders = []
        for folder in list(self.workspace.folders.values()):
            path = path_from_uri(folder.uri)
            if path is not None:
                folders.append((folder.uri, path))
        return folders

    def folder_of(self, path: Path) -> Path:
        """The innermost workspace folder holding ``path``; the root when none holds it."""
        holding = [
            folder for _, folder in self._folders() if folder == path or folder in path.parents
        ]
        return max(holding, key=lambda folder: len(folder.parts), default=self.root)

    def settings_for(self, path: Path) -> config.Settings:
        """The settings of the workspace folder holding ``path``."""
        return self._folder_settings.get(self.folder_of(path), self.settings)

    def engine_for(self, path: Path) -> Engine:
        """The engine of the workspace folder holding ``path`` (its settings, its root)."""
        folder = self.folder_of(path)
        if folder == self.root and folder not in self._folder_settings:
            return self.engine
        engine = self._folder_engines.get(folder)
        if engine is None:
            if self._cache is None:
                self._cache = GuideCache()
            settings = self._folder_settings.get(folder, self.settings)
            engine = Engine(settings, folder, cache=self._cache)
            self._folder_engines[folder] = engine
        return engine

    def preview_engine_for(self, path: Path) -> Engine:
        """An offline engine for hover previews in the folder holding ``path``."""
        folder = self.folder_of(path)
        if folder == self.root and folder not in self._folder_settings:
            return self.preview_engine
        engine = self._preview_engines.get(folder)
        if engine is None:
            settings = replace(self.settings_for(path), backend="offline")
            engine = self._preview_engines[folder] = Engine(settings, folder)
        return engine

    def _allowed_prompt_file(
        self, settings: config.Settings, folder: Path | None = None
    ) -> config.Settings:
        """``settings`` without a ``promptFile`` that cannot be used: outside the workspace
        folder ``folder`` (default: the root) and the config folder, excluded, unreadable or
        not a valid template (said once, as a warning). The shipped template is used instead,
        so the model stays available."""
        if not settings.prompt_file:
            return settings
        try:
            load_template(settings.prompt_file, folder or self.root, settings.exclude)
        except PromptTemplateError as exc:
            warning = f"{exc}; using the shipped template"
            return replace(settings, prompt_file=None, warnings=(*settings.warnings, warning))
        return settings

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
    def engine_in_use(self, path: Path | None = None) -> Iterator[Engine]:
        """The current engine (of ``path``'s folder), kept open until the caller is done even
        if settings change."""
        engine = self.engine if path is None else self.engine_for(path)
        self._engine_users[engine] = self._engine_users.get(engine, 0) + 1
        try:
            yield engine
        finally:
            self._engine_users[engine] -= 1
            if not self._engine_users[engine]:
                del self._engine_users[engine]
                current = engine is self._engine or engine in self._folder_engines.values()
                if not current:
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

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Say in one redacted line that handling a notification failed (a request's reply
        says it itself, see :mod:`howto_ls.lsp.protocol`); the traceback goes to stderr only.
        Replaces pygls's ``Error in server: ...``, which is not redacted."""
        if source is FeatureRequestError:
            return
        lines = str(error).strip().splitlines() or [type(error).__name__]
        data = getattr(error, "data", None)
        frames = data.get("traceback") if isinstance(data, dict) else None
        if isinstance(frames, list):  # JsonRpcInternalError.of keeps the frames, not exc_info
            trace = "".join(str(frame) for frame in frames)
            logger.error("%s\nTraceback (most recent call last):\n%s", lines[0], trace, extra=_SENT)
        else:
            logger.error("%s", lines[0], exc_info=error, extra=_SENT)
        self.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Error,
                message=redact(f"howto-ls failed: {lines[0]}; see the server log"),
            )
        )

    def show(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        """Show ``message`` to the user and log it (secrets redacted)."""
        message = redact(message)
        logger.log(_LEVELS.get(kind, logging.INFO), "%s", message, extra=_SENT)
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        """Log ``message`` to stderr and the client's log (secrets redacted)."""
        message = redact(message)
        logger.log(_LEVELS.get(kind, logging.INFO), "%s", message, extra=_SENT)
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    # documents --------------------------------------------------------------------------

    def document(self, uri: str) -> TextDocument | None:
        """The open document at ``uri``, under whichever spelling the client opened it.

        pygls keeps documents under the spelling of ``didOpen``; a request may spell the same
        file otherwise (see :func:`howto_ls.lsp.uris.document_key`). The document's own ``uri``
        is the client's spelling, the one replies use.
        """
        key = document_key(uri)
        for document in self.documents():
            if document_key(document.uri) == key:
                return document
        return None

    def documents(self) -> list[TextDocument]:
        """Every open text document (each carries the URI its client opened it under)."""
        documents: dict[str, TextDocument] = self.workspace.text_documents
        return list(documents.values())

    def python_document(self, uri: str) -> tuple[TextDocument, Path] | None:
        """The open document at ``uri`` and its path, if it is Python in a file or a buffer.

        An unsaved buffer (``untitled:``, language Python) gets a path in the project root
        that no file has: ``unsaved_untitled_1.py``, so its examples import from
        ``unsaved_untitled_1`` (see :meth:`is_unsaved_path`).
        """
        document = self.document(uri)
        if document is None:
            return None
        language = (document.language_id or "").lower()
        if is_unsaved(uri):
            if language != "python":
                return None
            unsaved = self.root / f"{unsaved_module(document.uri)}.py"
            self._unsaved[unsaved] = document.uri
            return document, unsaved
        path = path_from_uri(uri)
        if path is None:
            return None
        if language != "python" and path.suffix not in PYTHON_SUFFIXES:
            return None
        return document, path

    def is_unsaved_path(self, path: Path) -> bool:
        """Whether ``path`` stands for an unsaved buffer (no file, no sidecar)."""
        return path in self._unsaved

    def open_document(self, path: Path) -> TextDocument | None:
        """The open document for ``path``, if the editor has it open."""
        unsaved = self._unsaved.get(path)
        if unsaved is not None:
            return self.document(unsaved)
        return self.document(uri_from_path(path))

    def client_uri(self, path: Path) -> str:
        """The URI to name ``path`` by in a reply: the client's own for an open document."""
        document = self.open_document(path)
        return document.uri if document is not None else uri_from_path(path)

    def current_text(self, path: Path) -> tuple[str, int | None]:
        """The text of ``path`` as the editor sees it (open buffer first), and its version."""
        document = self.open_document(path)
        if document is not None:
            return document.source, document.version
        if path in self._unsaved:
            raise StaleDocumentError(
                f"{path.stem} is an unsaved buffer that was closed; nothing was changed"
            )
        return read_source(path).text, None

    def converter(self, text: str) -> PositionConverter:
        """A position converter for ``text`` in the negotiated encoding."""
        return PositionConverter(text, self.flags.position_encoding)

    def guides(self, uri: str, document: TextDocument, path: Path) -> list[ExistingGuide]:
        """The guides written for ``document``'s symbols, cached per document version."""
        source, key = document.source, document_key(uri)
        cached = self._guides.get(key)
        if cached is not None and cached[0] == document.version and cached[1] == source:
            return cached[2]
        found = self.engine_for(path).guides_in(path, source)
        self._guides[key] = (document.version, source, found)
        return found

    def inventory(self, uri: str, document: TextDocument, path: Path) -> Inventory:
        """``document``'s symbols with the state of their guides, cached per document version
        (:meth:`Engine.inventory`, built on the cached :meth:`guides`)."""
        source, key = document.source, document_key(uri)
        cached = self._inventories.get(key)
        if cached is not None and cached[0] == document.version and cached[1] == source:
            return cached[2]
        guides = self.guides(uri, document, path)
        found = self.engine_for(path).inventory(path, source, guides=guides)
        self._inventories[key] = (document.version, source, found)
        return found

    def forget(self, uri: str) -> None:
        """Drop cached state for a closed document."""
        self._guides.pop(document_key(uri), None)
        self._inventories.pop(document_key(uri), None)
        for path, unsaved in list(self._unsaved.items()):
            if document_key(unsaved) == document_key(uri):
                del self._unsaved[path]

    def forget_all(self) -> None:
        """Drop every cached guide list (a sidecar may have changed)."""
        self._guides.clear()
        self._inventories.clear()

    def initialize_from(self, params: types.InitializeParams) -> None:
        """Record the client's flags, the project root and ``initializationOptions``."""
        self.flags = ClientFlags.from_capabilities(
            params.capabilities, self.workspace.position_encoding
        )
        root = path_from_uri(params.root_uri) if params.root_uri else None
        if root is None and params.root_path:
            root = Path(params.root_path)
        if root is not None:
            self.root = root
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
        message = redact(message)
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
