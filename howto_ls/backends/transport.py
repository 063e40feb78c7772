"""HTTP to a model server: connections, timeouts, retries, streamed events; no API's JSON.

One :class:`Transport` per backend holds an httpx client per event loop (a client cannot
outlive its loop) and a limit on requests in flight. It sends a JSON body to a path under the
base URL and hands back the response, turning httpx's failures into one clear
:class:`howto_ls.errors.BackendError` each, and reads server-sent events (through httpx-sse)
with a silence timeout the caller resets when content arrives. What a request or an answer
means is a wire format's business (:mod:`howto_ls.backends.wire`).

Three timeouts: connect, silence (the first token, and the longest pause between two contents;
counted on content, so keep-alive comments such as llama.cpp's ``: ping`` do not reset it),
and total (every attempt and every wait between them). Failures worth another try are raised
as :class:`Retryable`; :meth:`Transport.call` retries them a bounded number of times with
jittered exponential backoff, honouring ``Retry-After`` (RFC 9110 section 10.2.3). Cancelling
the calling task closes the connection at once. Secrets (the API key, URL user information)
appear in no message, log or repr (:mod:`howto_ls.redact`).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import importlib
import logging
import random
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx
import httpx_sse

from howto_ls.errors import BackendConnectError, BackendError, BackendTimeoutError
from howto_ls.redact import redact, redact_url, register_secret, url_secrets

WRITE_TIMEOUT = 30.0
"""Seconds to send a request body."""
MAX_RETRIES = 3
RETRY_BASE_DELAY = 1.0
"""Backoff before retry n is about ``RETRY_BASE_DELAY * 2**n`` seconds, jittered."""
MAX_RETRY_DELAY = 30.0
"""A longer ``Retry-After`` (or backoff) is cut to this many seconds."""
DRAIN_TIMEOUT = 1.0
"""Seconds to wait for a stream to end after its last event before dropping the connection."""

_FIRST_USE_MODULES = ("httpcore", "anyio._backends._asyncio", "anyio.streams.tls")
"""Modules the first request imports; :func:`warm_up` imports them in a thread instead."""

log = logging.getLogger(__name__)
T = TypeVar("T")


class Retryable(Exception):
    """An attempt failed in a way worth retrying; ``error`` is raised when retries run out.

    ``retry_after`` is the server's ``Retry-After`` in seconds, if it sent one; ``reason`` what
    went wrong in this one attempt, for a message (``the server answered 500``).
    """

    def __init__(
        self, error: BackendError, retry_after: float | None = None, reason: str | None = None
    ) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after
        self.reason = reason or str(error)


class StreamSilent(Exception):
    """No content within the silence timeout (httpx's read timeout, or only comments came)."""


class StreamBroken(Exception):
    """The connection failed after the response had begun."""


class _Credentials:
    """The headers carrying a secret, and the secret; their repr never shows either."""

    def __init__(self, headers: Mapping[str, str], secret: str | None) -> None:
        self.headers = dict(headers)
        self.secret = secret or None

    def __repr__(self) -> str:
        return "<hidden>"


@dataclass
class _LoopState:
    """The HTTP client and concurrency limit, bound to one event loop."""

    loop: asyncio.AbstractEventLoop
    client: httpx.AsyncClient
    semaphore: asyncio.Semaphore


class Transport:
    """Requests to the server at ``base_url``, with ``headers`` on each (they may carry
    ``secret``, which is then removed from every message).

    ``label`` names the model and server in messages (``llama3 at localhost:11434``). Timeouts
    are in seconds: ``connect_timeout``, ``silence_timeout`` (see the module), ``total_timeout``
    for :meth:`call`. At most ``max_concurrency`` requests run at once (:meth:`slot`).
    ``transport`` replaces httpx's network transport (an ``httpx.MockTransport``, say).
    """

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        *,
        secret: str | None = None,
        label: str = "the model server",
        connect_timeout: float = 10.0,
        silence_timeout: float = 60.0,
        total_timeout: float = 120.0,
        max_concurrency: int = 4,
        max_retries: int = MAX_RETRIES,
        retry_base_delay: float = RETRY_BASE_DELAY,
        max_retry_delay: float = MAX_RETRY_DELAY,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.shown_url = redact_url(self.base_url)
        """The base URL as messages show it: no user information, no secret query values."""
        self.label = label
        self.connect_timeout = connect_timeout
        self.silence_timeout = silence_timeout
        self.total_timeout = total_timeout
        self.max_concurrency = max_concurrency
        self.max_retries = max_retries
        self.retry_base_delay = retry_base_delay
        self.max_retry_delay = max_retry_delay
        self._credentials = _Credentials(headers, secret)
        register_secret(secret)
        for value in url_secrets(self.base_url):
            register_secret(value)
        self._transport = transport
        self._state: _LoopState | None = None

    def __repr__(self) -> str:
        return f"Transport({self.shown_url!r})"

    def scrub(self, text: str) -> str:
        """``text`` with the secret, URL user information and other secrets replaced."""
        secret = self._credentials.secret
        text = text.replace(secret, "<hidden>") if secret else text
        return redact(text)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait while ``max_concurrency`` requests are in flight; hold a place meanwhile."""
        async with self._loop_state().semaphore:
            yield

    async def call(
        self, attempt: Callable[[], Awaitable[T]], notify: Callable[[str], None] | None = None
    ) -> T:
        """What ``attempt()`` returns, calling it again after each :class:`Retryable` failure
        (at most ``max_retries`` more times, after a backoff of seconds; ``notify`` hears of
        each wait), all within ``total_timeout`` seconds.

        Raises the last failure's error when retries run out, :class:`BackendTimeoutError`
        (naming the last failure) when the total timeout passes, and whatever else
        ``attempt`` raises.
        """
        failures: list[str] = []
        try:
            return await asyncio.wait_for(
                self._with_retries(attempt, notify, failures), self.total_timeout
            )
        except asyncio.TimeoutError:
            last = f" (the last attempt: {failures[-1]})" if failures else ""
            raise BackendTimeoutError(
                f"no answer within {self.total_timeout:g} s from {self.label}{last}: "
                "raise howto.timeout or use a faster model"
            ) from None

    async def _with_retries(
        self,
        attempt: Callable[[], Awaitable[T]],
        notify: Callable[[str], None] | None,
        failures: list[str],
    ) -> T:
        """``attempt()``, retried; each failure's reason is appended to ``failures``, so that
        a total timeout can say what went wrong before it."""
        retry = 0
        while True:
            try:
                return await attempt()
            except Retryable as failure:
                failures.append(failure.reason)
                if retry >= self.max_retries:
                    raise failure.error from None
                delay = self.delay(retry, failure.retry_after)
                log.info(
                    "%s; retry %d of %d in %.1f s", failure, retry + 1, self.max_retries, delay
                )
                if notify is not None:
                    notify(f"Retrying in {delay:.0f} s ({retry + 1}/{self.max_retries})")
                await asyncio.sleep(delay)
                retry += 1

    def delay(self, retry: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``retry`` (from 0): ``retry_after`` when the
        server sent it, else jittered exponential backoff; at most ``max_retry_delay``."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_delay)
        backoff = self.retry_base_delay * 2.0**retry * random.uniform(0.5, 1.5)
        return min(backoff, self.max_retry_delay)

    @contextlib.asynccontextmanager
    async def post(self, path: str, body: Any) -> AsyncIterator[httpx.Response]:
        """POST ``body`` as JSON to ``path`` under the base URL; the response, its body unread.

        Failures become, inside the block too: :class:`BackendTimeoutError` (no connection
        within ``connect_timeout``, or another timeout), :class:`BackendConnectError` (nothing
        listens, or the URL is unusable: neither is retried, the user needs to know at once),
        :class:`StreamSilent` (httpx's read timeout), :class:`Retryable` (the connection
        failed before the response) or :class:`StreamBroken` (it failed after).
        """
        client = self._loop_state().client
        url = endpoint(self.base_url, path)
        log.debug("POST %s", redact_url(url))
        responded = False
        try:
            async with client.stream("POST", url, json=body) as response:
                responded = True
                yield response
        except httpx.ConnectTimeout:
            raise BackendTimeoutError(
                f"cannot connect to {self.shown_url} within {self.connect_timeout:g} s: "
                "is the model server running and reachable?"
            ) from None
        except httpx.ConnectError:
            raise BackendConnectError(
                f"cannot connect to {self.shown_url}: is the model server running?"
            ) from None
        except httpx.ReadTimeout:
            raise StreamSilent from None
        except httpx.InvalidURL as error:
            raise BackendConnectError(
                f"howto.baseUrl {self.shown_url} is not a usable URL "
                f"({self.scrub(str(error))}): fix howto.baseUrl"
            ) from None
        except httpx.TimeoutException:
            raise BackendTimeoutError(
                f"the request to {self.shown_url} timed out: is the server overloaded?"
            ) from None
        except httpx.TransportError as error:
            if responded:
                raise StreamBroken from None
            raise Retryable(
                BackendConnectError(
                    f"the connection to {self.shown_url} failed "
                    f"({self.scrub(type(error).__name__)}): is the model server running?"
                )
            ) from None

    def events(self, response: httpx.Response, started: float) -> EventStream:
        """The server-sent events of ``response``, silent at most ``silence_timeout`` seconds
        from ``started`` (a ``time.monotonic()`` reading) to the first content."""
        return EventStream(response, self.silence_timeout, started)

    async def aclose(self) -> None:
        """Close the HTTP connections (a later request opens new ones)."""
        if self._state is not None:
            state, self._state = self._state, None
            await state.client.aclose()

    def _loop_state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        if self._state is None or self._state.loop is not loop:
            client = httpx.AsyncClient(
                headers=self._credentials.headers,
                timeout=httpx.Timeout(
                    connect=self.connect_timeout,
                    read=self.silence_timeout,
                    write=WRITE_TIMEOUT,
                    pool=None,
                ),
                transport=self._transport,
                verify=ssl_context(),
            )
            semaphore = asyncio.Semaphore(self.max_concurrency)
            self._state = _LoopState(loop, client, semaphore)
        return self._state


class EventStream:
    """Server-sent events of one response (httpx-sse parses the WHATWG format), raising
    :class:`StreamSilent` when no content came for ``silence`` seconds.

    Silence is measured from ``started`` (monotonic seconds) to the first :meth:`heard`, then
    between two: the caller says which events carried content, so comments, pings and
    role-only events do not count.
    """

    def __init__(self, response: httpx.Response, silence: float, started: float) -> None:
        self._events = httpx_sse.EventSource(response).aiter_sse()
        self._silence = silence
        self._last_content = started

    def heard(self) -> None:
        """Content arrived: the silence is measured from now."""
        self._last_content = time.monotonic()

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> httpx_sse.ServerSentEvent:
        remaining = self._last_content + self._silence - time.monotonic()
        if remaining <= 0:
            raise StreamSilent
        return await _next_within(self._events, remaining)

    async def drain(self) -> None:
        """Read what follows the last event to the end of the response, briefly.

        A response left unread cannot be reused: the next request would open a new connection
        (and a new TLS session). A server that keeps the stream open costs at most
        DRAIN_TIMEOUT seconds, then the connection is dropped.
        """

        async def read_to_end() -> None:
            async for _ in self._events:
                pass

        with contextlib.suppress(asyncio.TimeoutError, httpx.HTTPError, httpx_sse.SSEError):
            await asyncio.wait_for(read_to_end(), DRAIN_TIMEOUT)


async def _next_within(
    events: AsyncIterator[httpx_sse.ServerSentEvent], seconds: float
) -> httpx_sse.ServerSentEvent:
    """The next event, or StreamSilent after ``seconds``; StopAsyncIteration at the end.

    ``asyncio.wait`` rather than ``wait_for``: before Python 3.12, ``wait_for`` can swallow a
    cancellation that arrives as the event does, and the total timeout would then not fire.
    """
    following = asyncio.ensure_future(events.__anext__())
    following.add_done_callback(_retrieve)
    try:
        done, _ = await asyncio.wait({following}, timeout=seconds)
    except asyncio.CancelledError:
        following.cancel()
        raise
    if not done:
        following.cancel()
        with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration, httpx.HTTPError):
            await following
        raise StreamSilent
    return following.result()


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Mark a left-behind task's outcome as seen, so asyncio does not log it."""
    if not task.cancelled():
        task.exception()


@functools.lru_cache(maxsize=1)
def ssl_context() -> ssl.SSLContext:
    """httpx's default TLS context, built once: loading the CA bundle takes 0.1 s or more."""
    return httpx.create_ssl_context()


def warm_up() -> None:
    """Build what the first request would otherwise wait for; call it off the event loop.

    The TLS context (25 ms) and the modules httpx imports on first use: httpcore (70 ms with
    trio installed) and anyio's asyncio backend.
    """
    ssl_context()
    for module in _FIRST_USE_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(module)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number of seconds or an HTTP date
    (RFC 9110 section 10.2.3); ``None`` when absent or unreadable; never negative."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def endpoint(base_url: str, name: str) -> str:
    """The URL of the API endpoint ``name`` (``chat/completions``) under ``base_url``.

    ``name`` is appended to the path, and a query string stays at the end, as Azure OpenAI
    wants it (``https://r.openai.azure.com/openai/deployments/d?api-version=2024-06-01`` →
    ``.../deployments/d/chat/completions?api-version=2024-06-01``); a fragment is dropped,
    since it is never sent (RFC 3986 section 3.5).
    """
    parts = urlsplit(base_url)
    path = f"{parts.path.rstrip('/')}/{name.lstrip('/')}"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line (white space runs become one space), cut to ``limit`` characters
    with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
