"""Error replies: one redacted line, no traceback in ``data`` (pygls puts one there)."""

from __future__ import annotations

import sys

from lsprotocol.types import ResponseError
from pygls.exceptions import JsonRpcInternalError

from howto_ls.lsp.protocol import MAX_MESSAGE, one_line_error


def test_an_internal_error_reply_keeps_its_code_and_first_line_only() -> None:
    try:
        raise ValueError("open http://alice:S3cretPass@h/v1 failed\nsecond line")
    except ValueError:
        error = JsonRpcInternalError.of(sys.exc_info()).to_response_error()
    assert error.data is not None and "traceback" in error.data  # what pygls sends by default
    reply = one_line_error(error)
    assert reply.code == error.code == -32603
    assert reply.message == "ValueError: open http://***@h/v1 failed"
    assert reply.data is None


def test_a_long_or_empty_message_is_cut_or_named() -> None:
    long = one_line_error(ResponseError(code=-32603, message="x" * 5000))
    assert len(long.message) == MAX_MESSAGE and long.message.endswith("…")
    assert one_line_error(ResponseError(code=-32603, message="  \n")).message == "internal error"
