"""Code lenses over symbols whose guide is missing or stale, resolved lazily.

``textDocument/codeLens`` lists ranges and a little data, read from the cached inventory (the
syntax tree and the sidecar: no model, no jedi, no example runs); ``codeLens/resolve`` turns
one into the :data:`howto_ls.lsp.generate.COMMAND` the code actions run (LSP 3.17, "Code Lens
Request" and "Code Lens Resolve Request"). After edits and saves the client is asked to lens
again (``workspace/codeLens/refresh``) when it says it can (``refreshSupport``).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future
from typing import Any

from lsprotocol import types

from howto_ls.engine import GuideState, InventoryEntry
from howto_ls.lsp.generate import COMMAND, GenerateArgs
from howto_ls.lsp.positions import PositionConverter
from howto_ls.lsp.session import HowtoServer
from howto_ls.lsp.uris import is_notebook_cell
from howto_ls.model import Span

logger = logging.getLogger("howto_ls.server")

GENERATE = "Generate how-to doc"
REGENERATE = "Guide is stale — regenerate"
REFRESH_DELAY = 0.3  # seconds of quiet typing before the client is asked to lens again
_TITLES = {GuideState.MISSING.value: GENERATE, GuideState.STALE.value: REGENERATE}


def wanted_states(mode: str) -> tuple[GuideState, ...]:
    """The guide states that get a lens under the ``codeLens`` setting ``mode``.

    ``"on"``: missing and stale; ``"stale-only"``: stale only; ``"off"`` (or anything else): none.
    Fresh guides never get one.
    """
    if mode == "on":
        return (GuideState.MISSING, GuideState.STALE)
    if mode == "stale-only":
        return (GuideState.STALE,)
    return ()


def code_lenses(server: HowtoServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    """The unresolved lenses of ``params``' document, in source order (empty for a document
    that is not Python, a notebook cell, or with ``codeLens`` off).

    Each lens spans its symbol from the first decorator to the end of its name and carries
    ``data`` for :func:`resolve_lens`: the URI, the symbol's key, its state, where its guide
    is, and the LSP position of its name.
    """
    uri = params.text_document.uri
    if is_notebook_cell(uri):
        return []
    opened = server.python_document(uri)
    if opened is None:
        return []
    document, path = opened
    states = wanted_states(server.settings_for(path).code_lens)
    if not states:
        return []
    entries = [
        entry for entry in server.inventory(uri, document, path).entries if entry.state in states
    ]
    if not entries:
        return []
    converter = server.converter(document.source)
    return [_lens(document.uri, entry, converter) for entry in entries]


def _lens(uri: str, entry: InventoryEntry, converter: PositionConverter) -> types.CodeLens:
    start = min(entry.range.start, entry.span.start)
    name = converter.to_client(entry.span.start)
    data: dict[str, Any] = {
        "uri": uri,
        "key": entry.key,
        "state": entry.state.value,
        "line": name.line,
        "character": name.character,
    }
    if entry.state is GuideState.STALE and entry.where is not None:
        data["where"] = entry.where
    return types.CodeLens(range=converter.range_to_client(Span(start, entry.span.end)), data=data)


def resolve_lens(lens: types.CodeLens) -> types.CodeLens:
    """``lens`` with its command: ``howto.generate`` with the arguments the code actions give
    (the symbol's key as ``qualname``; a stale guide is rewritten where it is, a missing one
    goes where the ``target`` setting says). A lens whose ``data`` is not ours is returned
    unchanged, without a command."""
    data = lens.data
    if not isinstance(data, dict):
        return lens
    uri, key, state = data.get("uri"), data.get("key"), data.get("state")
    line, character = data.get("line"), data.get("character")
    title = _TITLES.get(state) if isinstance(state, str) else None
    if (
        title is None
        or not isinstance(uri, str)
        or not isinstance(key, str)
        or not isinstance(line, int)
        or not isinstance(character, int)
    ):
        return lens
    where = data.get("where") if data.get("where") in ("docstring", "sidecar") else None
    args = GenerateArgs(uri, line, character, where, key)
    lens.command = types.Command(title=title, command=COMMAND, arguments=[args.to_json()])
    return lens


class LensRefresh:
    """Asks the client to request code lenses again (``workspace/codeLens/refresh``), at once
    or once edits pause for ``delay`` seconds; nothing when the client cannot be asked."""

    def __init__(self, server: HowtoServer, delay: float = REFRESH_DELAY) -> None:
        self.server = server
        self.delay = delay
        self._pending: asyncio.TimerHandle | None = None

    def schedule(self) -> None:
        """Refresh once edits pause for ``delay`` seconds."""
        if not self.server.flags.code_lens_refresh:
            return
        self.cancel()
        self._pending = asyncio.get_running_loop().call_later(self.delay, self.now)

    def cancel(self) -> None:
        """Drop a pending refresh."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def now(self) -> None:
        """Send the refresh request now; a failed answer is logged, not raised."""
        self.cancel()
        if not self.server.flags.code_lens_refresh:
            return
        try:
            answer = self.server.workspace_code_lens_refresh(None)
        except Exception:  # the client went away: nothing to refresh
            logger.debug("workspace/codeLens/refresh failed", exc_info=True)
            return
        answer.add_done_callback(_settled)


def _settled(answer: Future[None]) -> None:
    """Note a refresh the client refused (its answer carries nothing else)."""
    if not answer.cancelled() and answer.exception() is not None:
        logger.debug("workspace/codeLens/refresh refused: %s", answer.exception())
