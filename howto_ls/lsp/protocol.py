"""pygls's LSP protocol with error replies a user can read: one line, no Python traceback.

pygls answers a request whose handler raised with ``JsonRpcInternalError.of(sys.exc_info())``
(``pygls/exceptions.py``): the exception's text as the message and the whole traceback as
``error.data``, which editors show to the user and which may quote source, paths or secrets.
Here every error reply keeps its code, gets the first line of its message (redacted, at most
:data:`MAX_MESSAGE` characters) and no ``data``; the traceback goes to stderr only, where
pygls logs it (``Exception occurred for message ...``).
"""

from __future__ import annotations

from typing import Any

from lsprotocol.types import ResponseError
from pygls.protocol import LanguageServerProtocol

from howto_ls.redact import redact

__all__ = ["MAX_MESSAGE", "HowtoProtocol", "one_line_error"]

MAX_MESSAGE = 300
"""Characters of an error reply's message; the rest is cut (an editor shows one line)."""


def one_line_error(error: ResponseError) -> ResponseError:
    """``error`` with its code, its message's first non-blank line redacted and cut to
    :data:`MAX_MESSAGE` characters, and no ``data``."""
    lines = [line.strip() for line in (error.message or "").splitlines() if line.strip()]
    message = redact(lines[0] if lines else "internal error")
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    return ResponseError(code=error.code, message=message, data=None)


class HowtoProtocol(LanguageServerProtocol):
    """The LSP protocol whose error replies carry one line and no traceback."""

    def _send_response(
        self, msg_id: Any, result: Any | None = None, error: ResponseError | None = None
    ) -> None:
        """Send a JSON-RPC response; an error goes out through :func:`one_line_error`."""
        if error is not None:
            error = one_line_error(error)
        super()._send_response(msg_id, result, error)
