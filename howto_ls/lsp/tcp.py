"""The language server over TCP: loopback by default, a token at ``initialize``, LSP framing only.

A port on 127.0.0.1 is reachable by every local process and by any web page the user's browser
shows (an HTTP ``POST`` to ``http://127.0.0.1:PORT``). So a connection is handed to the server
only when

1. every header line is an LSP header (``Content-Length`` or ``Content-Type``, LSP spec "Base
   Protocol"); an HTTP request line (``POST / HTTP/1.1``), a ``Host:`` or ``Origin:`` header,
   or anything else closes the connection at once, with nothing parsed;
2. its first message is the ``initialize`` request and ``initializationOptions.token`` (or
   ``initializationOptions.howto.token``) equals the server's token (``hmac.compare_digest``);
   otherwise it gets a JSON-RPC error response and is closed.

One client at a time: a second connection while one is served is closed. The server stops when
its client disconnects, as pygls' own TCP server does.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import json
import logging
import re
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from threading import Event
from typing import Any

from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from howto_ls.errors import UsageError

__all__ = [
    "MIN_TOKEN_LENGTH",
    "TOKEN_ENVIRONMENT",
    "Address",
    "ProtocolViolation",
    "new_token",
    "parse_address",
    "read_message",
    "serve_tcp",
    "token_from",
]

logger = logging.getLogger("howto_ls.server")

TOKEN_ENVIRONMENT = "HOWTO_LS_TOKEN"
MIN_TOKEN_LENGTH = 16
"""Characters a given token must have at least: 16 hex digits are 64 bits, beyond guessing by
connecting (each wrong guess costs a connection)."""
DEFAULT_HOST = "127.0.0.1"
HANDSHAKE_TIMEOUT = 10.0
"""Seconds a new connection has to send its whole ``initialize`` request."""
MAX_FIRST_MESSAGE = 1 << 20
"""Bytes an ``initialize`` request may have (VS Code's is about 15 kB)."""
MAX_HEADER_LINES = 8

_HEADER = re.compile(
    rb"(?i:content-length):[ \t]*(\d{1,12})[ \t]*\r\n|(?i:content-type):[^\r\n]*\r\n"
)
INVALID_REQUEST = -32600
_STDERR_ONLY = {"howto_sent": True}
"""Log extra that keeps a record from the client's log (there may be no client to send it to)."""


class ProtocolViolation(Exception):
    """The peer sent something that is not an LSP message (or a refused one)."""


@dataclass(frozen=True)
class Address:
    """Where to listen: a host (an IP literal or a name) and a port."""

    host: str
    port: int

    @property
    def is_loopback(self) -> bool:
        """Whether ``host`` is ``localhost`` or a loopback address (127.0.0.0/8, ``::1``)."""
        if self.host.lower() == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def parse_address(text: str) -> Address:
    """``PORT``, ``HOST:PORT`` or ``[IPv6]:PORT`` → :class:`Address` (host ``127.0.0.1`` when
    only a port is given). Raises :class:`UsageError` for anything else."""
    host, _, port = text.strip().rpartition(":")
    host = host.strip("[]") or DEFAULT_HOST
    if not port.isdigit() or not 0 <= int(port) < 65536:
        raise UsageError(
            f"--tcp wants PORT or HOST:PORT (e.g. 2087 or 127.0.0.1:2087), got {text!r}"
        )
    return Address(host, int(port))


def token_from(given: str | None, environ: dict[str, str] | Any) -> str | None:
    """The token from ``--token``, else the ``HOWTO_LS_TOKEN`` environment variable; None when
    neither is set. Raises :class:`UsageError` for a token that is not ASCII or shorter than
    :data:`MIN_TOKEN_LENGTH` characters (one a local process could guess)."""
    token = given or environ.get(TOKEN_ENVIRONMENT) or None
    if token is not None and not token.isascii():
        raise UsageError("the --tcp token must be ASCII text (e.g. from `openssl rand -hex 16`)")
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise UsageError(
            f"the --tcp token (--token or {TOKEN_ENVIRONMENT}) must have at least"
            f" {MIN_TOKEN_LENGTH} characters, not {len(token)}: make one with `openssl rand -hex"
            " 16`, or leave it out and howto-ls prints a new one"
        )
    return token


def new_token() -> str:
    """A random token: 32 URL-safe characters (192 bits)."""
    return secrets.token_urlsafe(24)


async def read_message(reader: asyncio.StreamReader, limit: int | None = None) -> bytes | None:
    """The body of the next LSP message from ``reader``; None at a clean end of stream.

    Header lines must be ``Content-Length`` or ``Content-Type`` (at most
    :data:`MAX_HEADER_LINES`), ended by an empty line, with a ``Content-Length``. Raises
    :class:`ProtocolViolation` otherwise, or when the body is longer than ``limit`` bytes;
    ``asyncio.IncompleteReadError`` when the stream ends inside a message.
    """
    length: int | None = None
    for index in range(MAX_HEADER_LINES + 1):
        line = await reader.readline()
        if not line:
            if index == 0:
                return None
            raise ProtocolViolation("the stream ended inside a header")
        if line == b"\r\n":
            if length is None:
                raise ProtocolViolation("a header without Content-Length")
            break
        match = _HEADER.fullmatch(line)
        if match is None:
            raise ProtocolViolation("not an LSP header line")
        if match.group(1) is not None:
            length = int(match.group(1))
    else:
        raise ProtocolViolation("too many header lines")
    if limit is not None and length > limit:
        raise ProtocolViolation(f"a first message of {length} bytes")
    return await reader.readexactly(length)


def _token_error(message: Any, token: str) -> str | None:
    """Why the first message is refused (None: it is ``initialize`` with the right token)."""
    if not isinstance(message, dict) or message.get("method") != "initialize":
        return "the first message must be the initialize request"
    params = message.get("params")
    options = params.get("initializationOptions") if isinstance(params, dict) else None
    given: Any = None
    if isinstance(options, dict):
        given = options.get("token")
        section = options.get("howto")
        if given is None and isinstance(section, dict):
            given = section.get("token")
    if not isinstance(given, str) or not given.isascii():
        return "initializationOptions.token is missing"
    if not hmac.compare_digest(given.encode("ascii"), token.encode("ascii")):
        return "initializationOptions.token is wrong"
    return None


def _frame(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


async def _close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.close()
        await asyncio.wait_for(writer.wait_closed(), 1.0)


class _Listener:
    """Accepts connections; hands the first authenticated one to ``server``."""

    def __init__(self, server: LanguageServer, token: str) -> None:
        self.server = server
        self.token = token
        self.busy = False
        self.finished = asyncio.Event()
        self.stop = Event()

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One TCP connection, from its first byte to its close."""
        peer = writer.get_extra_info("peername")
        if self.busy:
            logger.warning(
                "refused a second connection from %s: one client at a time",
                peer,
                extra=_STDERR_ONLY,
            )
            await _close(writer)
            return
        try:
            body = await asyncio.wait_for(
                read_message(reader, MAX_FIRST_MESSAGE), HANDSHAKE_TIMEOUT
            )
            first = json.loads(body) if body is not None else None
        except (ProtocolViolation, ValueError, asyncio.IncompleteReadError) as exc:
            logger.warning("closed a connection from %s: %s", peer, exc, extra=_STDERR_ONLY)
            await _close(writer)
            return
        except (asyncio.TimeoutError, ConnectionError):
            await _close(writer)
            return
        if first is None:
            await _close(writer)
            return
        refusal = _token_error(first, self.token)
        if refusal is not None:
            logger.warning("refused a connection from %s: %s", peer, refusal, extra=_STDERR_ONLY)
            if isinstance(first, dict) and "id" in first:
                writer.write(_frame(_refusal(first["id"], refusal)))
                with contextlib.suppress(Exception):
                    await writer.drain()
            await _close(writer)
            return
        self.busy = True
        try:
            await self._serve(first_body=body or b"", reader=reader, writer=writer)
        finally:
            await _close(writer)
            self.finished.set()

    async def _serve(
        self, first_body: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        protocol = self.server.protocol
        protocol.set_writer(writer)
        body: bytes | None = first_body
        while body is not None and not self.stop.is_set():
            try:
                message = json.loads(body, object_hook=protocol.structure_message)
                protocol.handle_message(message)
            except Exception as exc:
                logger.exception("Unable to handle message")
                self.server.report_server_error(exc, JsonRpcException)
            try:
                body = await read_message(reader)
            except (ProtocolViolation, asyncio.IncompleteReadError, ConnectionError) as exc:
                logger.warning("the client's connection ended: %s", exc, extra=_STDERR_ONLY)
                return


def _refusal(request_id: Any, reason: str) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "error": {
            "code": INVALID_REQUEST,
            "message": (
                f"howto-ls: {reason}: pass the token of `howto-ls serve --tcp` "
                f"(--token or {TOKEN_ENVIRONMENT}) as initializationOptions.token"
            ),
        },
    }


def serve_tcp(
    server: LanguageServer,
    address: Address,
    token: str,
    ready: Callable[[tuple[str, int]], None] | None = None,
) -> None:
    """Listen on ``address`` until the authenticated client disconnects (or ``exit``).

    ``ready`` receives the bound (host, port) once the socket listens (port 0 picks one).
    """
    listener = _Listener(server, token)
    server._stop_event = listener.stop  # what pygls' exit and shutdown set

    async def run() -> None:
        family = socket.AF_INET6 if ":" in address.host else socket.AF_UNSPEC
        tcp = await asyncio.start_server(
            listener.connection, address.host, address.port, family=family
        )
        bound = tcp.sockets[0].getsockname()
        if ready is not None:
            ready((str(bound[0]), int(bound[1])))
        async with tcp:
            await listener.finished.wait()

    try:
        asyncio.run(run())
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass
    finally:
        server.shutdown()  # type: ignore[no-untyped-call]
