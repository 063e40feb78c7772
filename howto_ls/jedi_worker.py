"""One thread for every jedi call: jedi is not thread-safe, and it must stay off the event loop."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class JediWorker:
    """Runs functions one at a time on a single dedicated thread."""

    def __init__(self, name: str = "howto-jedi") -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._thread_id: int | None = None

    def _on_worker(self) -> bool:
        """Whether the caller already runs on the worker thread (calls then run inline)."""
        return self._thread_id == threading.get_ident()

    def _call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn`` on the worker thread, remembering which thread that is."""
        self._thread_id = threading.get_ident()
        return fn(*args, **kwargs)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn`` on the worker and await its result without blocking the event loop."""
        if self._on_worker():
            return fn(*args, **kwargs)
        future = self._executor.submit(functools.partial(self._call, fn, *args, **kwargs))
        return await asyncio.wrap_future(future)

    def run_sync(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn`` on the worker and block the calling thread until it returns."""
        if self._on_worker():
            return fn(*args, **kwargs)
        future = self._executor.submit(functools.partial(self._call, fn, *args, **kwargs))
        return future.result()

    def shutdown(self) -> None:
        """Stop accepting work and wait for the running call to finish."""
        self._executor.shutdown(wait=True)


default_worker = JediWorker()
"""The worker every jedi call in howto-ls goes through."""
