"""Wire formats: what one model API's requests and answers look like, and nothing else.

A wire format builds the request (the path under the base URL, the headers, the JSON body)
and reads what comes back (one streamed server-sent event, a whole JSON body, an error body)
into the plain values below. It never sends anything: :mod:`howto_ls.backends.transport` does
that, and knows no API's JSON. Adding an API is one module implementing :class:`WireFormat`;
:mod:`howto_ls.backends.wire.openai_chat` (OpenAI Chat Completions, and every server that speaks
it) is the default; :mod:`howto_ls.backends.wire.anthropic_messages` (Anthropic's Messages API:
``POST /v1/messages``, ``x-api-key``, events ``content_block_delta`` … ``message_stop``) shows
that another API needs nothing else.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from howto_ls.prompt import Message

Ending = Literal["stop", "length", "filtered"]
"""How an answer ended, whatever the API calls it: complete, at the token cap, or stopped by
the server's content filter."""

ErrorKind = Literal["context", "quota", "other"]
"""What an error body says went wrong: the prompt is longer than the model's context, the
account is out of credit, or anything else."""


@dataclass(frozen=True)
class WireRequest:
    """One request to send: ``path`` under the base URL (``chat/completions``) and the JSON
    ``body``. Headers common to every request come from :meth:`WireFormat.headers`."""

    path: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Chunk:
    """What one streamed event or one whole answer carried.

    ``text`` is the answer's next characters (empty for events that carry none: a role, a ping).
    ``finish`` is the API's own stop reason as sent (``stop``, ``length``, ``end_turn``) and
    ``ending`` what it means; ``done`` is the API's end-of-stream marker (``[DONE]``,
    ``message_stop``). ``error`` is an error the server reported inside a 200 answer.
    """

    text: str = ""
    finish: str | None = None
    ending: Ending | None = None
    done: bool = False
    error: ApiError | None = None


@dataclass(frozen=True)
class ApiError:
    """An error the API reported, as read from its body.

    ``status`` is the HTTP status (``None`` for an error inside a 200 answer); ``message`` the
    server's words, unredacted: whoever shows it removes secrets first. ``prompt_tokens`` is the
    prompt's length in tokens when the server said it.
    """

    status: int | None
    message: str
    code: str | None = None
    kind: ErrorKind = "other"
    prompt_tokens: int | None = None


class Adaptation(enum.Enum):
    """How a wire format adapted to an error, so the same question can be asked again at once."""

    SCHEMA_REFUSED = "schema_refused"
    """The server refused the JSON schema: ask again without it (or give up, if it is required)."""
    REBUILT = "rebuilt"
    """The wire format changed how it builds requests (a parameter's name): ask again."""


class Malformed(Exception):
    """An answer that does not follow the API; ``str()`` says how, ``excerpt`` shows it."""

    def __init__(self, what: str, excerpt: str = "") -> None:
        super().__init__(what)
        self.excerpt = excerpt


class WireFormat(Protocol):
    """One model API's requests and answers. Implementations hold no connection and no secret.

    ``server_kind``, ``stop_field`` and ``end_marker`` name the API's parts in messages to the
    user ("an OpenAI-compatible server", "finish_reason", "[DONE]").
    """

    server_kind: str
    stop_field: str
    end_marker: str

    def headers(self, api_key: str | None) -> dict[str, str]:
        """Headers for every request: authentication with ``api_key`` (none when ``None``),
        the API's version, what is accepted."""
        ...

    def request(self, messages: list[Message], *, stream: bool, structured: bool) -> WireRequest:
        """The request asking for an answer to ``messages``: streamed as server-sent events
        when ``stream``, as JSON by the guide's schema (:mod:`howto_ls.structured`) when
        ``structured``."""
        ...

    def read_event(self, event: str, data: str) -> Chunk:
        """One server-sent event (its ``event`` name and its non-empty ``data``, stripped);
        raises :class:`Malformed` when the data is not what the API sends."""
        ...

    def read_body(self, text: str) -> Chunk:
        """A whole answer sent as one JSON body (``text``); raises :class:`Malformed`."""
        ...

    def read_error(self, status: int, text: str) -> ApiError:
        """The error an answer with HTTP ``status`` (400 or more) carries in its body ``text``
        (which may be anything: JSON of the API's shape, other JSON, HTML, nothing)."""
        ...

    def adapt(self, error: ApiError, *, structured: bool) -> Adaptation | None:
        """Whether ``error`` is one of the API's quirks that asking differently fixes; returns
        an :class:`Adaptation` only when the next request differs, so asking again ends."""
        ...
