"""Secrets out of text: URL user information, secret query parameters, bearer tokens, keys.

Every message, log line and exception text howto-ls shows passes through :func:`redact`; URLs
it builds messages from pass through :func:`redact_url` first. :class:`RedactingFilter` is the
second line: installed on the log handlers, it redacts every record, whoever logged it (httpx,
httpcore and pygls included).

The user information of a URL is RFC 3986's ``userinfo`` (section 3.2.1: everything between
``//`` and the last ``@`` of the authority); both the user name and the password go, since either
can be a token (``https://TOKEN@host`` is common).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

__all__ = [
    "MASK",
    "RedactingFilter",
    "forget_secrets",
    "install_log_redaction",
    "redact",
    "redact_url",
    "register_secret",
    "url_secrets",
]

MASK = "***"
MIN_SECRET_LENGTH = 4
"""Shorter registered values are not replaced by value: they would mask ordinary words."""

_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/?#\s]*@)")
"""A URL's scheme and its userinfo: the authority up to its last ``@`` (RFC 3986 §3.2)."""
_SECRET_QUERY = re.compile(
    r"(?P<name>[?&;](?:api[_-]?key|key|access[_-]?token|token|auth|secret|client[_-]?secret|"
    r"password|passwd|pwd|sig|signature|code)=)(?P<value>[^&#\s\"'<>]*)",
    re.IGNORECASE,
)
_BEARER = re.compile(
    r"(?P<scheme>\b(?:Bearer\s+|Authorization:\s*[A-Za-z]+\s+))(?P<token>[A-Za-z0-9._~+/=\-]{4,})",
    re.IGNORECASE,
)

_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Have :func:`redact` replace ``value`` wherever it appears (an API key, a URL password).

    Values shorter than :data:`MIN_SECRET_LENGTH` characters are ignored.
    """
    if value and len(value) >= MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(value)


def forget_secrets() -> None:
    """Drop every registered value (tests)."""
    with _lock:
        _secrets.clear()


def redact_url(url: str) -> str:
    """``url`` without its user information and with secret query values masked.

    ``http://alice:pw@host/v1`` → ``http://***@host/v1``; ``https://h/v1?api_key=k`` →
    ``https://h/v1?api_key=***``. Text that is no URL comes back unchanged (after the same
    replacements, which then find nothing).
    """
    text = _USERINFO.sub(rf"\g<scheme>{MASK}@", url)
    return _SECRET_QUERY.sub(rf"\g<name>{MASK}", text)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with URL user information, secret query values, bearer tokens,
    ``Authorization:`` values, the registered secrets and ``secrets`` (values shorter than
    four characters ignored) replaced by ``***``."""
    if not text:
        return text
    with _lock:
        values = set(_secrets)
    values.update(s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH)
    for value in sorted(values, key=len, reverse=True):  # a key that contains another first
        if value in text:
            text = text.replace(value, MASK)
    text = redact_url(text)
    return _BEARER.sub(rf"\g<scheme>{MASK}", text)


def url_secrets(url: str | None) -> tuple[str, ...]:
    """The password of ``url``'s user information, as written and percent-decoded (for
    :func:`register_secret`); empty when it has none or ``url`` does not parse."""
    if not url:
        return ()
    try:
        password = urlsplit(url).password
    except ValueError:
        return ()
    if not password:
        return ()
    return tuple(dict.fromkeys((password, unquote(password))))


class RedactingFilter(logging.Filter):
    """Redacts every record it sees: the formatted message and any exception text.

    Installed on handlers (a filter on a logger does not see its children's records), it
    formats the message once, redacts it, and stores the result so that no later formatter
    or handler sees the original arguments or exception.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; always lets it through."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler's own error path
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_log_redaction(*handlers: logging.Handler) -> None:
    """Put the redacting filter on ``handlers``, the root logger's handlers and the handler
    Python falls back to when none is configured (``logging.lastResort``); idempotent."""
    targets = [*handlers, *logging.getLogger().handlers]
    if logging.lastResort is not None:
        targets.append(logging.lastResort)
    for handler in targets:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
