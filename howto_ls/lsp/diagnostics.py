"""Stale-guide diagnostics, published on open and save and, debounced, on change."""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types

from howto_ls.engine import GuideState
from howto_ls.lsp.convert import stale_diagnostic
from howto_ls.lsp.session import HowtoServer

logger = logging.getLogger("howto_ls.server")

DEBOUNCE_SECONDS = 0.3


class StaleGuides:
    """Publishes one Information diagnostic per stale guide of each open Python document."""

    def __init__(self, server: HowtoServer, delay: float = DEBOUNCE_SECONDS) -> None:
        self.server = server
        self.delay = delay
        self._pending: dict[str, asyncio.TimerHandle] = {}

    def schedule(self, uri: str) -> None:
        """Publish for ``uri`` once edits pause for ``delay`` seconds."""
        self.cancel(uri)
        loop = asyncio.get_running_loop()
        self._pending[uri] = loop.call_later(self.delay, self.publish, uri)

    def cancel(self, uri: str) -> None:
        """Drop a pending publication for ``uri``."""
        handle = self._pending.pop(uri, None)
        if handle is not None:
            handle.cancel()

    def publish(self, uri: str) -> None:
        """Compute and publish the diagnostics for ``uri`` now."""
        self._pending.pop(uri, None)
        opened = self.server.python_document(uri)
        if opened is None:
            return
        document, path = opened
        uri = document.uri  # published under the URI the client opened the document with
        try:
            stale = self.server.inventory(uri, document, path).with_state(GuideState.STALE)
        except Exception:  # a diagnostics pass must never take the server down
            logger.exception("stale-guide diagnostics failed for %s", uri)
            return
        converter = self.server.converter(document.source)
        diagnostics = [
            stale_diagnostic(entry.guide, uri, converter)
            for entry in stale
            if entry.guide is not None
        ]
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=diagnostics, version=document.version
            )
        )

    def publish_all(self) -> None:
        """Publish for every open document (after the settings change)."""
        for document in self.server.documents():
            self.publish(document.uri)  # the client's spelling (pygls' keys are decoded)

    def clear(self, uri: str) -> None:
        """Remove ``uri``'s diagnostics (it was closed)."""
        self.cancel(uri)
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )
