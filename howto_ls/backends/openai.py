"""The ``openai`` backend: any OpenAI-compatible chat server (OpenAI, Ollama, vLLM, llama.cpp…).

A thin composition: :class:`howto_ls.backends.transport.Transport` sends and streams (connect,
silence and total timeouts, retries, cancellation), a wire format builds requests and reads
answers (:class:`howto_ls.backends.wire.openai_chat.OpenAIChat`: ``POST
{baseUrl}/chat/completions`` with ``stream: true`` and a token cap, ``max_tokens`` or
``max_completion_tokens`` once a server says it wants that), and this module decides what an
answer is worth and what the user reads when it is none.

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

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from howto_ls.backends.base import Progress
from howto_ls.backends.progress import StreamProgress
from howto_ls.backends.statuses import StatusErrors
from howto_ls.backends.transport import (
    MAX_RETRIES,
    MAX_RETRY_DELAY,
    RETRY_BASE_DELAY,
    EventStream,
    Retryable,
    StreamBroken,
    StreamSilent,
    Transport,
    one_line,
)
from howto_ls.backends.transport import warm_up as warm_up_transport
from howto_ls.backends.wire import Adaptation, ApiError, Chunk, Ending, Malformed, WireFormat
from howto_ls.backends.wire.openai_chat import OpenAIChat
from howto_ls.config import Settings
from howto_ls.errors import BackendError, BackendResponseError, BackendTimeoutError
from howto_ls.guide import Guide, parse_guide
from howto_ls.model import GuideRequest
from howto_ls.prompt import (
    PROMPT_VERSION,
    Message,
    Repair,
    build_messages,
    cache_view,
    load_template,
)
from howto_ls.redact import redact_url
from howto_ls.structured import to_guide_text

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
MAX_ANSWER_CHARS = 200_000
"""A guide is a few kilobytes; a longer answer is a runaway model, and reading stops."""
PROGRESS_INTERVAL = 0.25
"""At most one progress message per this many seconds."""

log = logging.getLogger(__name__)

_NO_SCHEMA: set[str] = set()
"""Base URLs that refused ``response_format`` in this process: asked in Markdown from then on."""


class _EmptyStream(Exception):
    """A 200 stream that carried no event at all."""


class _Adapted(Exception):
    """The wire format adapted to the server's error: ask again (``message``: the server's)."""

    def __init__(self, adaptation: Adaptation, message: str) -> None:
        super().__init__(message)
        self.adaptation = adaptation


@dataclass
class _Answer:
    """An answer as read so far: its text, how it ended, and how many events carried it."""

    parts: list[str] = field(default_factory=list)
    chars: int = 0
    finish: str | None = None
    ending: Ending | None = None
    done: bool = False
    events: int = 0

    @property
    def text(self) -> str:
        return "".join(self.parts)


class OpenAIBackend:
    """Writes guides with a model on an OpenAI-compatible server.

    ``api_key`` goes in the wire format's headers only. Timeouts are in seconds (defaults
    from ``settings``); ``transport`` replaces httpx's network transport; ``workspace`` is
    where a ``promptFile`` may lie (default: the working folder); ``wire`` speaks another API
    (default: OpenAI Chat Completions).
    """

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
        wire: WireFormat | None = None,
    ) -> None:
        self.settings = settings
        self.model = settings.model or DEFAULT_MODEL
        self.base_url = (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        self.shown_url = redact_url(self.base_url)
        """The base URL as messages show it: no user information, no secret query values."""
        self.progress_interval = progress_interval
        # A prompt file lies in the workspace (default: the working folder) or the config folder.
        self.template = load_template(
            settings.prompt_file, workspace or Path.cwd(), settings.exclude
        )
        self.wire: WireFormat = wire or OpenAIChat(self.model, settings.max_tokens)
        self.transport = Transport(
            self.base_url,
            self.wire.headers(api_key),
            secret=api_key,
            label=self.describe(),
            connect_timeout=connect_timeout or settings.connect_timeout,
            silence_timeout=first_token_timeout or settings.first_token_timeout,
            total_timeout=settings.timeout,
            max_concurrency=settings.max_concurrency,
            max_retries=max_retries,
            retry_base_delay=retry_base_delay,
            max_retry_delay=max_retry_delay,
            transport=transport,
        )
        self._statuses = StatusErrors(self.transport, self.model, bool(api_key))

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
        reporter = StreamProgress(progress, self.progress_interval)
        async with self.transport.slot():
            reporter.say(f"Asking {self.describe()}", force=True)
            return await self.transport.call(
                lambda: self._attempt(messages, reporter),
                lambda message: reporter.say(message, force=True),
            )

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self.transport.aclose()

    def warm_up(self) -> None:
        """Build what the first request would otherwise wait for, off the event loop (see
        :func:`howto_ls.backends.transport.warm_up`)."""
        warm_up_transport()

    def uses_schema(self) -> bool:
        """Whether requests ask for JSON by schema: the setting, and what the server accepted."""
        mode = self.settings.structured_output
        return mode == "on" or (mode == "auto" and self.base_url not in _NO_SCHEMA)

    def payload(
        self, messages: list[Message], *, stream: bool = True, structured: bool = False
    ) -> dict[str, Any]:
        """The JSON body of a request for ``messages`` (a chat-completions one by default)."""
        return self.wire.request(messages, stream=stream, structured=structured).body

    # -- one attempt --

    async def _attempt(self, messages: list[Message], reporter: StreamProgress) -> str:
        """One answer, asked again at once while the wire format adapts to the server's quirks
        (each adaptation changes the next request, so this ends)."""
        while True:
            structured = self.uses_schema()
            reporter.json_mode = structured
            try:
                text = await self._ask(messages, reporter, structured)
            except _Adapted as adapted:
                self._adapted(adapted)
                continue
            return to_guide_text(text) if structured else text

    def _adapted(self, adapted: _Adapted) -> None:
        if adapted.adaptation is not Adaptation.SCHEMA_REFUSED:
            log.info("%s: %s; asking again", self.shown_url, adapted)
            return
        if self.settings.structured_output == "on":
            raise BackendResponseError(
                f"the server at {self.shown_url} refused the JSON schema ({adapted}): "
                "set howto.structuredOutput to auto or off"
            ) from None
        log.info("%s refused the JSON schema (%s); asking for Markdown", self.shown_url, adapted)
        _NO_SCHEMA.add(self.base_url)

    async def _ask(
        self, messages: list[Message], reporter: StreamProgress, structured: bool
    ) -> str:
        try:
            return await self._request(messages, reporter, True, structured)
        except _EmptyStream:
            log.info("%s sent an empty stream; asking again without streaming", self.shown_url)
            text = await self._request(messages, reporter, False, structured)
            if not text.strip():
                raise BackendResponseError(
                    f"the server at {self.shown_url} sent an empty stream and then an empty "
                    f"answer ({self.describe()}): check the server's log"
                ) from None
            return text

    async def _request(
        self, messages: list[Message], reporter: StreamProgress, stream: bool, structured: bool
    ) -> str:
        request = self.wire.request(messages, stream=stream, structured=structured)
        log.debug("asking %s (model %s, stream %s)", self.shown_url, self.model, stream)
        answer = _Answer()
        started = time.monotonic()
        try:
            async with self.transport.post(request.path, request.body) as response:
                if response.status_code >= 400:
                    await response.aread()
                    error = self.wire.read_error(response.status_code, response.text)
                    raise self._status_error(response, error, messages, structured)
                if "text/event-stream" in response.headers.get("content-type", ""):
                    events = self.transport.events(response, started)
                    await self._read_stream(events, answer, reporter)
                else:
                    await response.aread()
                    chunk = self._read(self.wire.read_body, response.text)
                    if chunk.error is not None:
                        raise self._reported(chunk.error, "reported an error")
                    answer.finish, answer.ending = chunk.finish, chunk.ending
                    answer.events, answer.done = 1, True
                    self._take(chunk.text, answer)
        except StreamSilent:
            raise self._silence_error(bool(answer.parts)) from None
        except StreamBroken:
            raise Retryable(self._cut_off(answer.chars)) from None
        return self._ended(answer)

    async def _read_stream(
        self, events: EventStream, answer: _Answer, reporter: StreamProgress
    ) -> None:
        """Read events into ``answer``; content resets the silence timeout, nothing else does."""
        async for event in events:
            data = event.data.strip()
            if not data:
                continue
            answer.events += 1
            chunk = self._read(functools.partial(self.wire.read_event, event.event), data)
            if chunk.error is not None:
                raise self._reported(chunk.error, "reported an error in the stream")
            if chunk.finish is not None:
                answer.finish, answer.ending = chunk.finish, chunk.ending
            if chunk.done:
                answer.done = True
                await events.drain()
                return
            if chunk.text:
                events.heard()
                self._take(chunk.text, answer)
                reporter.advance(chunk.text)

    def _read(self, read: Callable[[str], Chunk], text: str) -> Chunk:
        """``read(text)``; an answer that does not follow the API is one clear error."""
        try:
            return read(text)
        except Malformed as bad:
            shown = (
                f" ({one_line(self.transport.scrub(bad.excerpt))[:60]!r})" if bad.excerpt else ""
            )
            raise BackendResponseError(
                f"the server at {self.shown_url} {bad}{shown}: check that howto.baseUrl points "
                f"at {self.wire.server_kind}"
            ) from None

    def _take(self, text: str, answer: _Answer) -> None:
        """Add ``text`` to ``answer``; an answer longer than any guide stops the reading."""
        answer.chars += len(text)
        if answer.chars > MAX_ANSWER_CHARS:
            raise BackendResponseError(
                f"the answer of {self.describe()} passed {MAX_ANSWER_CHARS:,} characters, "
                "far longer than a guide: try again or choose another model"
            )
        answer.parts.append(text)

    # -- how an answer ended --

    def _ended(self, answer: _Answer) -> str:
        """The text when the answer ended complete; else the error that says why."""
        text = answer.text
        if answer.ending == "length":
            raise BackendResponseError(
                f"the answer reached the token cap (maxTokens={self.settings.max_tokens}) "
                f"after {len(text)} characters: raise howto.maxTokens or use a model that stops"
            )
        if answer.ending == "filtered":
            raise BackendResponseError(
                f"the server's content filter stopped the answer of {self.describe()} "
                f"({self.wire.stop_field} {answer.finish}) after {len(text)} characters: "
                "nothing was written; rephrase the code's context or use another model"
            )
        if answer.events == 0 and not text:
            raise _EmptyStream
        if not text.strip():
            if answer.finish is None and answer.done:
                concurrency = self.settings.max_concurrency
                raise Retryable(
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
        if answer.finish is None and not answer.done:
            raise Retryable(self._cut_off(len(text)))
        return text

    def _cut_off(self, chars: int) -> BackendResponseError:
        return BackendResponseError(
            f"the answer of {self.describe()} was cut off after {chars} characters (the stream "
            f"ended without {self.wire.stop_field} or {self.wire.end_marker}; the server's "
            "context may be full): try again, or raise the server's context size"
        )

    def _silence_error(self, had_content: bool) -> BackendTimeoutError:
        seconds = self.transport.silence_timeout
        if not had_content:
            message = f"no first token within {seconds:g} s from"
        else:
            message = f"the stream stalled for {seconds:g} s from"
        return BackendTimeoutError(
            f"{message} {self.describe()}: try again, or use a faster or smaller model"
        )

    # -- errors the server reported --

    def _status_error(
        self,
        response: httpx.Response,
        error: ApiError,
        messages: list[Message],
        structured: bool,
    ) -> Exception:
        """The exception for an answer with HTTP status 400 or more carrying ``error``."""
        message = self._statuses.message(error) or response.reason_phrase or "no details"
        adaptation = self.wire.adapt(error, structured=structured)
        if adaptation is not None:
            return _Adapted(adaptation, message)
        return self._statuses.error(error, message, response.headers, messages)

    def _reported(self, error: ApiError, what: str) -> BackendError:
        """The exception for an error the server reported inside a 200 answer."""
        return self._statuses.reported(error, what)
