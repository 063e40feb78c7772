"""Work-done progress whose cancel button cancels the asyncio task doing the work."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from concurrent.futures import Future
from types import TracebackType
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

logger = logging.getLogger("howto_ls.server")

REPORT_INTERVAL = 0.1  # seconds between two reports of the same step (e.g. a model's stream)
CREATE_TIMEOUT = 5.0  # seconds a client may take to accept a progress token


class WorkProgress:
    """One cancellable work-done progress; a no-op when the client does not show progress.

    ``async with WorkProgress(server, title, enabled) as progress:`` creates the token and sends
    ``begin``; ``progress.report(message)`` sends steps; leaving sends ``end``. ``link(task)``
    makes the client's cancel button cancel ``task``.
    """

    def __init__(self, server: LanguageServer, title: str, enabled: bool) -> None:
        self.server = server
        self.title = title
        self.enabled = enabled
        self.token: str | None = None
        self.end_message = "Done"
        self._last_step = ""
        self._last_time = 0.0

    async def __aenter__(self) -> WorkProgress:
        if self.enabled:
            token = f"howto-ls/{uuid.uuid4()}"
            try:
                # Shielded: pygls fails on a late answer to a request cancelled by the timeout.
                create = self.server.work_done_progress.create_async(token)
                await asyncio.wait_for(asyncio.shield(create), CREATE_TIMEOUT)
            except Exception as exc:  # refused or unanswered: the work goes on without progress
                logger.info("work-done progress unavailable: %s", exc)
            else:
                self.token = token
                self.server.work_done_progress.begin(
                    token, types.WorkDoneProgressBegin(title=self.title, cancellable=True)
                )
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.token is not None:
            self.server.work_done_progress.end(
                self.token, types.WorkDoneProgressEnd(message=self.end_message)
            )
            self.server.work_done_progress.tokens.pop(self.token, None)

    def link(self, task: asyncio.Task[Any]) -> None:
        """Cancel ``task`` when the user cancels this progress."""
        if self.token is None:
            return
        future: Future[object] | None = self.server.work_done_progress.tokens.get(self.token)
        if future is None:
            return
        loop = asyncio.get_running_loop()

        def on_done(done: Future[object]) -> None:
            if done.cancelled() and not task.done():
                loop.call_soon_threadsafe(task.cancel)

        future.add_done_callback(on_done)

    def report(self, message: str) -> None:
        """Report a step; repeats of one step (a model's stream) are sent at most every 0.1 s."""
        step = message.split(":", 1)[0]
        now = time.monotonic()
        if step == self._last_step and now - self._last_time < REPORT_INTERVAL:
            return
        self._last_step, self._last_time = step, now
        logger.debug("progress: %s", message)
        if self.token is not None:
            self.server.work_done_progress.report(
                self.token, types.WorkDoneProgressReport(message=message, cancellable=True)
            )
