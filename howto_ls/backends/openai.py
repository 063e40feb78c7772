"""The ``openai`` backend: any OpenAI-compatible chat server (OpenAI, Ollama, vLLM, llama.cpp…).

``POST {baseUrl}/chat/completions`` with ``stream: true`` and a token cap (``max_tokens``, or
``max_completion_tokens`` once a server says it wants that) over httpx; server-sent events parsed
incrementally by httpx-sse. Three timeouts: connect, first token (also the longest silence
between two chunks: both counted on content, so keep-alive comments such as llama.cpp's
``: ping`` do not reset them), and total (``Settings.timeout``).

An answer counts only when the stream ends as the API says: a ``finish_reason`` of ``stop`` or
``[DONE]`` after content. Otherwise::

    no event at all (200, empty body)    asked again once without streaming, for the real error
    role event then [DONE], no content   dropped for another request: retried with backoff
    content, then the stream stops        cut off after N characters: retried
    finish_reason "length"                the token cap was reached: not retried
    finish_reason "content_filter"        the server's filter stopped it: not retried

With ``structuredOutput`` ``auto`` or ``on`` the request asks for JSON by a JSON schema
(``response_format``, see :mod:`howto_ls.structured`) and the answer is rendered into the seed
format before anyone reads it; ``auto`` falls back to the Markdown answer when a server refuses
the schema, and remembers that server for the rest of the process.

429, 5xx and connection failures are retried a bounded number of times with jittered
exponential backoff, honouring ``Retry-After``; 400, 401 and 404 never are. At most
``Settings.max_concurrency`` requests run at once per backend.
Cancelling the calling task closes the stream at once. The API key is sent as a Bearer token and
appears in no message, log or repr.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import hashlib
import importlib
import json
import logging
import random
import re
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import httpx_sse

from howto_ls.backends.base import Progress
from howto_ls.config import Settings
from howto_ls.errors import (
    BackendAuthError,
    BackendConnectError,
    BackendContextError,
    BackendError,
    BackendNotFoundError,
    BackendRateLimitError,
    BackendResponseError,
    BackendTimeoutError,
)
from howto_ls.guide import SECTIONS, Guide, parse_guide
from howto_ls.model import GuideRequest
from howto_ls.prompt import (
    PROMPT_VERSION,
    Message,
    Repair,
    build_messages,
    cache_view,
    load_template,
)
from howto_ls.redact import redact, redact_url, register_secret, url_secrets
from howto_ls.structured import response_format, to_guide_text, with_instruction

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
WRITE_TIMEOUT = 30.0
MAX_RETRIES = 3
RETRY_BASE_DELAY = 1.0
"""Backoff before retry n is about ``RETRY_BASE_DELAY * 2**n`` seconds, jittered."""
MAX_RETRY_DELAY = 30.0
"""A longer ``Retry-After`` (or backoff) is cut to this many seconds."""
MAX_ANSWER_CHARS = 200_000
"""A guide is a few kilobytes; a longer answer is a runaway model, and reading stops."""
PROGRESS_INTERVAL = 0.25
"""At most one progress message per this many seconds."""

log = logging.getLogger(__name__)

_CONTEXT_HINTS = re.compile(
    r"context[ _](length|window|size)|maximum context|too many tokens|prompt is too long|"
    r"exceeds? the available context",
    re.IGNORECASE,
)
_SCHEMA_REFUSAL = re.compile(r"response_format|json_schema|schema|grammar", re.IGNORECASE)
_NO_SCHEMA: set[str] = set()
"""Base URLs that refused ``response_format`` in this process: asked in Markdown from then on."""
_TOKEN_COUNT = re.compile(r"(?:resulted in|request \(|prompt has|prompt of) ?(\d+) tokens")
_CHARS_PER_TOKEN = 4
"""For an estimate of a prompt's tokens when the server does not say: ~4 characters each."""
_STEP = re.compile(r"^\s*(?:\*\*|__)?(?:step\s+)?(\d{1,3})[.):]", re.IGNORECASE)


class _Secret:
    """Holds the API key; its repr never shows it."""

    def __init__(self, value: str | None) -> None:
        self.value = value or None

    def __repr__(self) -> str:
        return "<hidden>" if self.value else "None"

    def scrub(self, text: str) -> str:
        """``text`` with the key, URL user information and other secrets replaced."""
        text = text.replace(self.value, "<hidden>") if self.value else text
        return redact(text)


class _Retryable(Exception):
    """An attempt failed in a way worth retrying; ``error`` is raised when retries run out."""

    def __init__(
        self, error: BackendError, retry_after: float | None = None, reason: str | None = None
    ) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after
        self.reason = reason or str(error)
        """What went wrong in this one attempt, for a message (``the server answered 500``)."""


class _UseMaxCompletionTokens(Exception):
    """The server rejected ``max_tokens`` and asked for ``max_completion_tokens`` instead."""


class _SchemaRefused(Exception):
    """The server refused the ``response_format`` JSON schema (its message, one line)."""


class _EmptyStream(Exception):
    """A 200 stream that carried no event at all."""


@dataclass
class _StreamEnd:
    """How a stream ended: the last ``finish_reason``, whether ``[DONE]`` came, any event."""

    finish_reason: str | None = None
    done: bool = False
    events: int = 0


@dataclass
class _LoopState:
    """The HTTP client and concurrency limit, bound to one event loop."""

    loop: asyncio.AbstractEventLoop
    client: httpx.AsyncClient
    semaphore: asyncio.Semaphore


class OpenAIBackend:
    """Writes guides with a model on an OpenAI-compatible server."""

    name = "openai"

    def __init__(
        self,
        settings: Settings,
        api_key: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        connect_timeout: float | None = None,
        first_token_timeout: float | None = None,
        max_retries: int = MAX_RETRIES,
        retry_base_delay: float = RETRY_BASE_DELAY,
        max_retry_delay: float = MAX_RETRY_DELAY,
        progress_interval: float = PROGRESS_INTERVAL,
        workspace: Path | None = None,
    ) -> None:
        self.settings = settings
        self.model = settings.model or DEFAULT_MODEL
        self.base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        self.shown_url = redact_url(self.base_url)
        """The base URL as messages show it: no user information, no secret query values."""
        self.timeout = settings.timeout
        self.connect_timeout = connect_timeout or settings.connect_timeout
        self.first_token_timeout = first_token_timeout or settings.first_token_timeout
        self.max_retries = max_retries
        self.retry_base_delay = retry_base_delay
        self.max_retry_delay = max_retry_delay
        self.progress_interval = progress_interval
        # A prompt file lies in the workspace (default: the working folder) or the config folder.
        self.template = load_template(
            settings.prompt_file, workspace or Path.cwd(), settings.exclude
        )
        self._key = _Secret(api_key)
        register_secret(api_key)
        for secret in url_secrets(self.base_url):
            register_secret(secret)
        self._transport = transport
        self._state: _LoopState | None = None
        self._token_parameter = "max_tokens"

    def __repr__(self) -> str:
        return f"OpenAIBackend(model={self.model!r}, base_url={self.shown_url!r})"

    def describe(self) -> str:
        """The model and host it calls, e.g. ``llama3 at localhost:11434``."""
        host = urlsplit(self.shown_url).netloc.rpartition("@")[2]
        return f"{self.model} at {host or self.shown_url}"

    async def generate(
        self,
        request: GuideRequest,
        progress: Progress | None = None,
        *,
        repair: Repair | None = None,
    ) -> Guide:
        """A guide for ``request.symbol``; raises a BackendError when the answer is not a guide."""
        text = await self.answer(request, progress, repair=repair)
        parsed = parse_guide(text)
        missing = [problem for problem in parsed.problems if problem.endswith("is missing")]
        if missing:
            raise BackendResponseError(
                f"the answer of {self.describe()} is not a guide "
                f"({'; '.join(missing)}): try again or choose another model"
            )
        return parsed.guide

    async def answer(
        self,
        request: GuideRequest,
        progress: Progress | None = None,
        *,
        repair: Repair | None = None,
    ) -> str:
        """The model's raw answer for ``request`` (a repair conversation when ``repair`` is set)."""
        messages = build_messages(request, template=self.template, repair=repair)
        return await self.complete(messages, progress)

    def request_digest(self, request: GuideRequest) -> str:
        """SHA-256 (hex) of what shapes the answer to ``request``: the whole prompt (system and
        user messages: code, comments, docstrings, context, the template; the code in the form
        of :func:`howto_ls.prompt.cache_view`), base URL, model, structured output mode, token
        cap, backend name and prompt version. The base URL only ever goes
        into the hash, so a password in it is never stored."""
        shape = {
            "backend": self.name,
            "base_url": self.base_url,
            "model": self.model,
            "structured_output": self.settings.structured_output,
            "max_tokens": self.settings.max_tokens,
            "prompt_version": PROMPT_VERSION,
            "language": request.language,
            "messages": build_messages(cache_view(request), template=self.template),
        }
        data = json.dumps(shape, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(data).hexdigest()

    async def complete(self, messages: list[Message], progress: Progress | None = None) -> str:
        """Send ``messages``; the streamed answer's text. Raises BackendError subclasses."""
        state = self._loop_state()
        reporter = _StreamProgress(progress, self.progress_interval)
        async with state.semaphore:
            reporter.say(f"Asking {self.describe()}", force=True)
            failures: list[str] = []
            try:
                return await asyncio.wait_for(
                    self._with_retries(state.client, messages, reporter, failures), self.timeout
                )
            except asyncio.TimeoutError:
                last = f" (the last attempt: {failures[-1]})" if failures else ""
                raise BackendTimeoutError(
                    f"no answer within {self.timeout:g} s from {self.describe()}{last}: "
                    "raise howto.timeout or use a faster model"
                ) from None

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        if self._state is not None:
            state, self._state = self._state, None
            await state.client.aclose()

    # -- internals --

    def warm_up(self) -> None:
        """Build what the first request would otherwise wait for, off the event loop.

        The TLS context (25 ms) and the modules httpx imports on first use: httpcore (70 ms
        with trio installed) and anyio's asyncio backend.
        """
        _ssl_context()
        for module in _FIRST_USE_MODULES:
            with contextlib.suppress(ImportError):
                importlib.import_module(module)

    def _loop_state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        if self._state is None or self._state.loop is not loop:
            headers = {"Accept": "text/event-stream"}
            if self._key.value:
                headers["Authorization"] = f"Bearer {self._key.value}"
            client = httpx.AsyncClient(
                headers=headers,
                timeout=httpx.Timeout(
                    connect=self.connect_timeout,
                    read=self.first_token_timeout,
                    write=WRITE_TIMEOUT,
                    pool=None,
                ),
                transport=self._transport,
                verify=_ssl_context(),
            )
            semaphore = asyncio.Semaphore(self.settings.max_concurrency)
            self._state = _LoopState(loop, client, semaphore)
        return self._state

    async def _with_retries(
        self,
        client: httpx.AsyncClient,
        messages: list[Message],
        reporter: _StreamProgress,
        failures: list[str] | None = None,
    ) -> str:
        """The answer, asking again after retryable failures (each reason appended to ``failures``,
        so that a total timeout can say what went wrong before it)."""
        attempt = 0
        structured = self.uses_schema()
        while True:
            try:
                reporter.json_mode = structured
                text = await self._attempt(client, messages, reporter, structured)
                return to_guide_text(text) if structured else text
            except _SchemaRefused as refusal:
                if self.settings.structured_output == "on":
                    raise BackendResponseError(
                        f"the server at {self.shown_url} refused the JSON schema ({refusal}): "
                        "set howto.structuredOutput to auto or off"
                    ) from None
                log.info(
                    "%s refused the JSON schema (%s); asking for Markdown", self.shown_url, refusal
                )
                _NO_SCHEMA.add(self.base_url)
                structured = False
            except _UseMaxCompletionTokens:
                # Raised only while max_tokens is in use: the switch happens once, for good.
                log.info("%s asks for max_completion_tokens; using it from now on", self.shown_url)
                self._token_parameter = "max_completion_tokens"
            except _Retryable as failure:
                if failures is not None:
                    failures.append(failure.reason)
                if attempt >= self.max_retries:
                    raise failure.error from None
                delay = self._delay(attempt, failure.retry_after)
                log.info(
                    "%s; retry %d of %d in %.1f s", failure, attempt + 1, self.max_retries, delay
                )
                reporter.say(f"Retrying in {delay:.0f} s ({attempt + 1}/{self.max_retries})", True)
                await asyncio.sleep(delay)
                attempt += 1

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_delay)
        backoff = self.retry_base_delay * 2.0**attempt * random.uniform(0.5, 1.5)
        return min(backoff, self.max_retry_delay)

    def uses_schema(self) -> bool:
        """Whether requests ask for JSON by schema: the setting, and what the server accepted."""
        mode = self.settings.structured_output
        return mode == "on" or (mode == "auto" and self.base_url not in _NO_SCHEMA)

    def payload(
        self, messages: list[Message], *, stream: bool = True, structured: bool = False
    ) -> dict[str, Any]:
        """The JSON body of a chat-completions request for ``messages``."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": with_instruction(messages) if structured else messages,
            "stream": stream,
            self._token_parameter: self.settings.max_tokens,
        }
        if structured:
            body["response_format"] = response_format()
        return body

    async def _attempt(
        self,
        client: httpx.AsyncClient,
        messages: list[Message],
        reporter: _StreamProgress,
        structured: bool = False,
    ) -> str:
        try:
            return await self._request(client, messages, reporter, True, structured)
        except _EmptyStream:
            log.info("%s sent an empty stream; asking again without streaming", self.shown_url)
            text = await self._request(client, messages, reporter, False, structured)
            if not text.strip():
                raise BackendResponseError(
                    f"the server at {self.shown_url} sent an empty stream and then an empty "
                    f"answer ({self.describe()}): check the server's log"
                ) from None
            return text

    async def _request(
        self,
        client: httpx.AsyncClient,
        messages: list[Message],
        reporter: _StreamProgress,
        stream: bool,
        structured: bool,
    ) -> str:
        url = endpoint(self.base_url, "chat/completions")
        payload = self.payload(messages, stream=stream, structured=structured)
        log.debug("POST %s (model %s, stream %s)", redact_url(url), self.model, stream)
        received: list[str] = []
        responded = False
        end = _StreamEnd()
        started = time.monotonic()
        try:
            async with client.stream("POST", url, json=payload) as response:
                responded = True
                if response.status_code >= 400:
                    await response.aread()
                    raise self._status_error(response, messages, structured)
                content_type = response.headers.get("content-type", "")
                if "text/event-stream" in content_type:
                    await self._read_stream(response, received, reporter, end, started)
                else:
                    await response.aread()
                    received.append(self._read_json(response, end))
                    end.done = True
        except httpx.ConnectTimeout:
            # Not retried: the user has already waited the whole connect timeout.
            raise BackendTimeoutError(
                f"cannot connect to {self.shown_url} within {self.connect_timeout:g} s: "
                "is the model server running and reachable?"
            ) from None
        except httpx.ConnectError:
            # Not retried: a refused connection means no server there, and waiting for the
            # backoff only delays the message the user needs.
            raise BackendConnectError(
                f"cannot connect to {self.shown_url}: is the model server running?"
            ) from None
        except (httpx.ReadTimeout, _ContentTimeout):
            raise self._silence_error(bool("".join(received))) from None
        except httpx.InvalidURL as error:
            raise BackendConnectError(
                f"howto.baseUrl {self.shown_url} is not a usable URL "
                f"({self._key.scrub(str(error))}): fix howto.baseUrl"
            ) from None
        except httpx.TimeoutException:
            raise BackendTimeoutError(
                f"the request to {self.shown_url} timed out: is the server overloaded?"
            ) from None
        except httpx.TransportError as error:
            if not responded:
                raise _Retryable(
                    BackendConnectError(
                        f"the connection to {self.shown_url} failed "
                        f"({self._key.scrub(type(error).__name__)}): is the model server running?"
                    )
                ) from None
            raise _Retryable(self._cut_off(len("".join(received)))) from None
        text = "".join(received)
        return self._ended(text, end)

    def _ended(self, text: str, end: _StreamEnd) -> str:
        """``text`` when the stream ended as a complete answer; else the error that says why."""
        reason = end.finish_reason
        if reason == "length":
            raise BackendResponseError(
                f"the answer reached the token cap (maxTokens={self.settings.max_tokens}) "
                f"after {len(text)} characters: raise howto.maxTokens or use a model that stops"
            )
        if reason == "content_filter":
            raise BackendResponseError(
                f"the server's content filter stopped the answer of {self.describe()} "
                f"(finish_reason content_filter) after {len(text)} characters: "
                "nothing was written; rephrase the code's context or use another model"
            )
        if end.events == 0 and not text:
            raise _EmptyStream
        if not text.strip():
            if reason is None and end.done:
                concurrency = self.settings.max_concurrency
                raise _Retryable(
                    BackendResponseError(
                        f"the server at {self.shown_url} dropped this request for another "
                        f"(it serves fewer requests at once than howto.maxConcurrency="
                        f"{concurrency}): lower maxConcurrency / --concurrency, or start the "
                        "server with more parallel slots"
                    )
                )
            raise BackendResponseError(
                f"the model returned an empty answer ({self.describe()}): "
                "try again or choose another model"
            )
        if reason is None and not end.done:
            raise _Retryable(self._cut_off(len(text)))
        return text

    def _cut_off(self, chars: int) -> BackendResponseError:
        return BackendResponseError(
            f"the answer of {self.describe()} was cut off after {chars} characters (the stream "
            "ended without finish_reason or [DONE]; the server's context may be full): "
            "try again, or raise the server's context size"
        )

    def _silence_error(self, had_content: bool) -> BackendTimeoutError:
        if not had_content:
            message = f"no first token within {self.first_token_timeout:g} s from"
        else:
            message = f"the stream stalled for {self.first_token_timeout:g} s from"
        return BackendTimeoutError(
            f"{message} {self.describe()}: try again, or use a faster or smaller model"
        )

    async def _read_stream(
        self,
        response: httpx.Response,
        received: list[str],
        reporter: _StreamProgress,
        end: _StreamEnd,
        started: float,
    ) -> None:
        """Read events into ``received`` and ``end``; raises _ContentTimeout on silence.

        The silence is measured from ``started`` (monotonic seconds) to the first content, then
        between two contents: comments and role-only events do not count.
        """
        total = 0
        events = httpx_sse.EventSource(response).aiter_sse()
        last_content = started
        while True:
            remaining = last_content + self.first_token_timeout - time.monotonic()
            if remaining <= 0:
                raise _ContentTimeout
            try:
                event = await _next_within(events, remaining)
            except StopAsyncIteration:
                return
            data = event.data.strip()
            if not data:
                continue
            end.events += 1
            if data == "[DONE]":
                end.done = True
                await _drain(events)
                return
            try:
                chunk = json.loads(data)
            except ValueError:
                raise BackendResponseError(
                    f"the server at {self.shown_url} sent a stream event that is not JSON "
                    f"({_one_line(self._key.scrub(data))[:60]!r}): check that howto.baseUrl "
                    "points at an OpenAI-compatible server"
                ) from None
            if not isinstance(chunk, dict):
                continue
            if "error" in chunk:
                raise self._error_in_body(chunk, "reported an error in the stream")
            end.finish_reason = _finish_reason(chunk) or end.finish_reason
            text = _delta_text(chunk)
            if not text:
                continue
            last_content = time.monotonic()
            total += len(text)
            if total > MAX_ANSWER_CHARS:
                raise BackendResponseError(
                    f"the answer of {self.describe()} passed {MAX_ANSWER_CHARS:,} characters, "
                    "far longer than a guide: try again or choose another model"
                )
            received.append(text)
            reporter.advance(text)

    def _read_json(self, response: httpx.Response, end: _StreamEnd) -> str:
        try:
            body = response.json()
        except ValueError:
            raise BackendResponseError(
                f"the server at {self.shown_url} answered with neither a stream nor JSON: "
                "check that howto.baseUrl points at an OpenAI-compatible server"
            ) from None
        if isinstance(body, dict) and "error" in body:
            raise self._error_in_body(body, "reported an error")
        try:
            content = body["choices"][0]["message"]["content"]
            end.finish_reason = _finish_reason(body)
            end.events = 1
        except (KeyError, IndexError, TypeError):
            raise BackendResponseError(
                f"the server at {self.shown_url} answered without choices[0].message.content: "
                "check that howto.baseUrl points at an OpenAI-compatible server"
            ) from None
        if len(content or "") > MAX_ANSWER_CHARS:
            raise BackendResponseError(
                f"the answer of {self.describe()} passed {MAX_ANSWER_CHARS:,} characters, "
                "far longer than a guide: try again or choose another model"
            )
        return str(content or "")

    def _status_error(
        self, response: httpx.Response, messages: list[Message], structured: bool = False
    ) -> Exception:
        status = response.status_code
        message, code = self._server_message(response)
        if (
            structured
            and status in (400, 422, 500, 501)
            and _SCHEMA_REFUSAL.search(message)
            and not _CONTEXT_HINTS.search(message)
        ):
            return _SchemaRefused(message)
        if (
            status == 400
            and self._token_parameter == "max_tokens"
            and "max_completion_tokens" in message
        ):
            return _UseMaxCompletionTokens()
        if status in (401, 403):
            if self._key.value:
                return BackendAuthError(
                    f"the server at {self.shown_url} rejected the API key ({status}): "
                    "set HOWTO_API_KEY or OPENAI_API_KEY to a valid key"
                )
            return BackendAuthError(
                f"the server at {self.shown_url} needs an API key ({status}): "
                "set HOWTO_API_KEY or OPENAI_API_KEY"
            )
        if status == 404:
            return BackendNotFoundError(
                f"model {self.model!r} or URL {self.shown_url} not found (404): "
                "check howto.model and howto.baseUrl"
            )
        if status == 429:
            if code == "insufficient_quota":
                return BackendRateLimitError(
                    f"the account behind the API key is out of quota at {self.shown_url} (429): "
                    "check its plan and billing, or use another key"
                )
            return _Retryable(
                BackendRateLimitError(
                    f"rate limited (429) by {self.shown_url} after {self.max_retries} retries: "
                    "wait a minute, or lower howto.maxConcurrency"
                ),
                _retry_after(response.headers.get("retry-after")),
                f"the server answered 429 ({message})",
            )
        if code in _CONTEXT_CODES or (status in (400, 413, 422) and _CONTEXT_HINTS.search(message)):
            return self._context_error(message, _prompt_tokens(response), messages)
        if status >= 500:
            return _Retryable(
                BackendResponseError(
                    f"the server at {self.shown_url} failed ({status}) after {self.max_retries} "
                    f"retries ({message}): try again later"
                ),
                _retry_after(response.headers.get("retry-after")),
                f"the server answered {status} ({message})",
            )
        return BackendResponseError(
            f"the server at {self.shown_url} refused the request ({status}: {message}): "
            "check howto.model and howto.baseUrl"
        )

    def _context_error(
        self, message: str, tokens: int | None, messages: list[Message]
    ) -> BackendContextError:
        """The prompt does not fit: how long it is (the server's count, else estimated)."""
        if tokens is None:
            match = _TOKEN_COUNT.search(message)
            if match:
                tokens = int(match.group(1))
            else:
                chars = sum(len(m.get("content") or "") for m in messages)
                tokens = chars // _CHARS_PER_TOKEN
        return BackendContextError(
            f"the prompt (≈{tokens} tokens) is longer than the context of model {self.model} "
            f"({message}): raise the server's context size (llama.cpp `-c`/`--n_ctx`, Ollama "
            "`num_ctx`) or use a larger model"
        )

    def _error_in_body(self, body: dict[str, Any], what: str) -> BackendError:
        message, code = _error_fields(body)
        message = _one_line(self._key.scrub(message))
        if code in _CONTEXT_CODES or _CONTEXT_HINTS.search(message):
            error = body.get("error")
            count = error.get("n_prompt_tokens") if isinstance(error, dict) else None
            return self._context_error(message, count if isinstance(count, int) else None, [])
        return BackendResponseError(f"the server at {self.shown_url} {what}: {message}; try again")

    def _server_message(self, response: httpx.Response) -> tuple[str, str | None]:
        """The server's error message (one line, short, key removed) and error code."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            message, code = _error_fields(body)
        else:
            message, code = response.text, None
        message = _one_line(self._key.scrub(message)) or response.reason_phrase or "no details"
        return message, code


class _StreamProgress:
    """Turns the stream's advance into short messages, at a bounded rate."""

    def __init__(self, progress: Progress | None, interval: float) -> None:
        self._progress = progress
        self._interval = interval
        self._last_time = float("-inf")
        self._last_message = ""
        self._line = ""
        self._section = ""
        self._step = 0
        self._text: list[str] = []
        self.json_mode = False

    def say(self, message: str, force: bool = False) -> None:
        """Pass ``message`` on unless it repeats or comes too soon after the last one."""
        if self._progress is None or message == self._last_message:
            return
        now = time.monotonic()
        if not force and now - self._last_time < self._interval:
            return
        self._last_time, self._last_message = now, message
        self._progress(message)

    def advance(self, text: str) -> None:
        """Account for ``text`` arriving; report the section and step being written."""
        if self._progress is None:
            return
        if self.json_mode and not "".join(self._text).strip() and text.strip():
            # A server that ignores the schema answers in Markdown: read it as Markdown.
            self.json_mode = text.lstrip().startswith(("{", "`"))
        if self.json_mode:
            self._text.append(text)
            self._look_at_json()
        else:
            lines = (self._line + text).split("\n")
            self._line = lines.pop()[-200:]
            for line in [*lines, self._line]:
                self._look_at(line)
        if self._section == "Execution Steps" and self._step:
            self.say(f"Writing Execution Steps: step {self._step}")
        elif self._section:
            self.say(f"Writing {self._section}")
        else:
            self.say("Writing the guide")

    def _look_at_json(self) -> None:
        """The section (and step) a JSON answer has reached: its last key, its steps' strings."""
        if time.monotonic() - self._last_time < self._interval:
            return  # said nothing new anyway: skip the scan
        text = "".join(self._text)
        self._text = [text]
        keys = list(_JSON_KEY.finditer(text))
        if not keys:
            return
        last = keys[-1]
        self._section = _JSON_SECTIONS[last.group(1)]
        if self._section == "Execution Steps":
            self._step = max(1, _strings_in_array(text, last.end()))

    def _look_at(self, line: str) -> None:
        name = line.strip().strip("#*_:").strip()
        if name in SECTIONS:
            self._section, self._step = name, 0
            return
        if self._section == "Execution Steps":
            match = _STEP.match(line)
            if match:
                self._step = max(self._step, int(match.group(1)))


_JSON_KEY = re.compile(r'"(description|steps|example)"\s*:')
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?')


def _strings_in_array(text: str, start: int) -> int:
    """How many strings of the JSON array at ``text[start:]`` have begun (the last may be open)."""
    count = 0
    for match in _JSON_STRING.finditer(text, start):
        count += 1
        if not match.group().endswith('"') or len(match.group()) < 2:
            break  # still being written
        if text[match.end() :].lstrip().startswith("]"):
            break
    return count


_JSON_SECTIONS = {
    "description": "Description",
    "steps": "Execution Steps",
    "example": "Usage Example",
}

DRAIN_TIMEOUT = 1.0
"""Seconds to wait for a stream to end after ``[DONE]`` before dropping the connection."""

_FIRST_USE_MODULES = ("httpcore", "anyio._backends._asyncio", "anyio.streams.tls")
"""Modules the first request imports; warm_up imports them in a thread instead."""


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """httpx's default TLS context, built once: loading the CA bundle takes 0.1 s or more."""
    return httpx.create_ssl_context()


async def _drain(events: AsyncIterator[httpx_sse.ServerSentEvent]) -> None:
    """Read what follows ``[DONE]`` to the end of the response, briefly.

    A response left unread cannot be reused: the next request would open a new connection
    (and a new TLS session). A server that keeps the stream open after ``[DONE]`` costs at
    most DRAIN_TIMEOUT, then the connection is dropped.
    """

    async def read_to_end() -> None:
        async for _ in events:
            pass

    with contextlib.suppress(asyncio.TimeoutError, httpx.HTTPError, httpx_sse.SSEError):
        await asyncio.wait_for(read_to_end(), DRAIN_TIMEOUT)


async def _next_within(
    events: AsyncIterator[httpx_sse.ServerSentEvent], seconds: float
) -> httpx_sse.ServerSentEvent:
    """The next event, or _ContentTimeout after ``seconds``; StopAsyncIteration at the end.

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
        raise _ContentTimeout
    return following.result()


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Mark a left-behind task's outcome as seen, so asyncio does not log it."""
    if not task.cancelled():
        task.exception()


class _ContentTimeout(Exception):
    """No content arrived within the first-token timeout (keep-alive comments do not count)."""


_CONTEXT_CODES = frozenset({"context_length_exceeded", "exceed_context_size_error"})


def _prompt_tokens(response: httpx.Response) -> int | None:
    """llama.cpp's ``error.n_prompt_tokens``, when the error body carries it."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    count = error.get("n_prompt_tokens") if isinstance(error, dict) else None
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def _finish_reason(chunk: dict[str, Any]) -> str | None:
    """``choices[0].finish_reason`` of a chunk or a completion, when it is set."""
    choices = chunk.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    reason = choices[0].get("finish_reason")
    return reason if isinstance(reason, str) and reason else None


def _delta_text(chunk: dict[str, Any]) -> str:
    choices = chunk.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return ""
    first = choices[0]
    delta = first.get("delta")
    if isinstance(delta, dict):
        content = delta.get("content")
    else:
        message = first.get("message")
        content = message.get("content") if isinstance(message, dict) else first.get("text")
    return content if isinstance(content, str) else ""


def _error_fields(body: dict[str, Any]) -> tuple[str, str | None]:
    error = body.get("error", body)
    if isinstance(error, dict):
        message = error.get("message") or error.get("detail") or ""
        code = error.get("code") or error.get("type")
        return str(message), str(code) if code is not None else None
    return str(error), None


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number of seconds or an HTTP date."""
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


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
