"""What the user reads when a model server answers with an error, whatever its API.

HTTP statuses mean the same from every API (RFC 9110 section 15): 401 and 403 a key problem,
404 a wrong model or URL, 429 a rate limit (retried, unless the account is out of quota), 5xx
a server failure (retried). A wire format reads the error body into an
:class:`howto_ls.backends.wire.ApiError`, which also says when the prompt is longer than the
model's context; this module turns it into one :class:`howto_ls.errors.BackendError` line
that names the server and says what to do next, without secrets.
"""

from __future__ import annotations

from collections.abc import Mapping

from howto_ls.backends.transport import Retryable, Transport, one_line, retry_after
from howto_ls.backends.wire import ApiError
from howto_ls.errors import (
    BackendAuthError,
    BackendContextError,
    BackendError,
    BackendNotFoundError,
    BackendRateLimitError,
    BackendResponseError,
)
from howto_ls.prompt import Message

CHARS_PER_TOKEN = 4
"""For an estimate of a prompt's tokens when the server does not say: ~4 characters each."""


class StatusErrors:
    """Errors for answers from the server behind ``transport``, asked about ``model``
    (``has_key``: whether an API key was sent)."""

    def __init__(self, transport: Transport, model: str, has_key: bool) -> None:
        self.transport = transport
        self.model = model
        self.has_key = has_key

    def message(self, error: ApiError) -> str:
        """The server's message on one line, at most 300 characters, secrets removed."""
        return one_line(self.transport.scrub(error.message))

    def error(
        self,
        error: ApiError,
        message: str,
        headers: Mapping[str, str],
        messages: list[Message],
    ) -> BackendError | Retryable:
        """The exception for ``error`` (its HTTP status 400 or more), shown with ``message``
        (see :meth:`message`); ``headers`` are the response's (``Retry-After``), ``messages``
        the prompt (for an estimate of its length)."""
        url = self.transport.shown_url
        retries = self.transport.max_retries
        status = error.status or 0
        if status in (401, 403):
            if self.has_key:
                return BackendAuthError(
                    f"the server at {url} rejected the API key ({status}): "
                    "set HOWTO_API_KEY or OPENAI_API_KEY to a valid key"
                )
            return BackendAuthError(
                f"the server at {url} needs an API key ({status}): "
                "set HOWTO_API_KEY or OPENAI_API_KEY"
            )
        if status == 404:
            return BackendNotFoundError(
                f"model {self.model!r} or URL {url} not found (404): "
                "check howto.model and howto.baseUrl"
            )
        wait = retry_after(headers.get("retry-after"))
        if status == 429:
            if error.kind == "quota":
                return BackendRateLimitError(
                    f"the account behind the API key is out of quota at {url} (429): "
                    "check its plan and billing, or use another key"
                )
            return Retryable(
                BackendRateLimitError(
                    f"rate limited (429) by {url} after {retries} retries: "
                    "wait a minute, or lower howto.maxConcurrency"
                ),
                wait,
                f"the server answered 429 ({message})",
            )
        if error.kind == "context":
            return self.context_error(message, error.prompt_tokens, messages)
        if status >= 500:
            return Retryable(
                BackendResponseError(
                    f"the server at {url} failed ({status}) after {retries} "
                    f"retries ({message}): try again later"
                ),
                wait,
                f"the server answered {status} ({message})",
            )
        return BackendResponseError(
            f"the server at {url} refused the request ({status}: {message}): "
            "check howto.model and howto.baseUrl"
        )

    def reported(self, error: ApiError, what: str) -> BackendError:
        """The exception for ``error`` reported inside a 200 answer; ``what`` says where
        (``reported an error in the stream``)."""
        message = self.message(error)
        if error.kind == "context":
            return self.context_error(message, error.prompt_tokens, [])
        url = self.transport.shown_url
        return BackendResponseError(f"the server at {url} {what}: {message}; try again")

    def context_error(
        self, message: str, tokens: int | None, messages: list[Message]
    ) -> BackendContextError:
        """The prompt does not fit: how long it is in tokens (the server's count, else
        estimated from the characters of ``messages``)."""
        if tokens is None:
            tokens = sum(len(m.get("content") or "") for m in messages) // CHARS_PER_TOKEN
        return BackendContextError(
            f"the prompt (≈{tokens} tokens) is longer than the context of model {self.model} "
            f"({message}): raise the server's context size (llama.cpp `-c`/`--n_ctx`, Ollama "
            "`num_ctx`) or use a larger model"
        )
