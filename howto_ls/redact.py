"""Secrets out of text: URL user information, secret query parameters, credentials, keys.

Every message, log line and exception text howto-ls shows passes through :func:`redact`; URLs
it builds messages from pass through :func:`redact_url` first. :class:`RedactingFilter` is the
second line: installed on the log handlers, it redacts every record, whoever logged it (httpx,
httpcore and pygls included).

The user information of a URL is RFC 3986's ``userinfo`` (section 3.2.1: everything between
``//`` and the last ``@`` of the authority); both the user name and the password go, since either
can be a token (``https://TOKEN@host`` is common). Users paste passwords unencoded, with ``/``,
``#`` or ``@`` in them, so the authority is not trusted to end at the first ``/``: everything
between ``://`` and the last ``@`` of the URL (up to white space or a quote) is masked. A URL
written without a scheme (``alice:pw@host:9/v1``) loses what precedes its last ``@`` too.
Secret parameters are masked in the query and in the fragment (``#access_token=...``, OAuth 2.0's
implicit grant, RFC 6749 section 4.2.2).

Servers and proxies echo what they were sent: the value of an ``Authorization`` or
``Proxy-Authorization`` header (RFC 9110 section 11.6), wherever it is quoted, goes; so do
``Bearer`` tokens (RFC 6750) and ``Basic`` credentials (RFC 7617: the base64 of
``user:password``) anywhere in text. :func:`url_secrets` gives, besides a URL's password, the
``Basic`` credentials an HTTP client sends for it, so that a bare echo of them goes too. Servers
also quote part of a key they refused (OpenAI: ``Incorrect API key provided: sk-abc***``): any
run of :data:`FRAGMENT_LENGTH` or more characters of a registered value is masked as well.
"""

from __future__ import annotations

import base64
import binascii
import functools
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
FRAGMENT_LENGTH = 8
"""Runs of this many characters of a registered value, or more, are masked wherever they stand
(a prefix of a key a server quotes); shorter runs are left, as they are too likely by chance."""

_URL_TEXT = r"[^\s\"'<>`]"
"""A character that can stand in a URL as users write it: not white space, a quote or a bracket."""
# a scheme starts where no scheme character stands before it: without the look-behind every
# position of a long run such as ``a.a.a.…`` would scan to the run's end again (quadratic time)
_URL = re.compile(
    rf"(?<![A-Za-z0-9+.\-])(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<rest>{_URL_TEXT}*)"
)
"""A URL with a scheme; ``rest`` is all of it after ``://``."""
_BARE_URL = re.compile(rf"(?<![\w.~%+\-/:@*])(?P<rest>[\w.~%+\-]+:(?!//){_URL_TEXT}*@{_URL_TEXT}*)")
"""``user:password@host...`` written without a scheme."""
_HOST_PORT = re.compile(r"(?:\[[0-9A-Za-z:.%]*\]|[^\s:/?#@\[\]]+)(?::[0-9]*)?")
"""A plausible RFC 3986 ``host[:port]``: a bracketed IP literal or a name, and digits."""
_SECRET_QUERY = re.compile(
    r"(?P<name>[?&;#](?:api[_-]?key|key|access[_-]?token|token|auth|secret|client[_-]?secret|"
    r"password|passwd|pwd|sig|signature|code)=)(?P<value>(?:[^&#\s\"'<>]*[^&#\s\"'<>:;,.)])?)",
    re.IGNORECASE,
)
_TOKEN68 = r"[A-Za-z0-9\-._~+/]{4,}=*"
"""RFC 9110 section 11.2's ``token68`` (how Basic and Bearer credentials are written), of four
characters or more: "bearer of" in prose is no token."""
_AUTHORIZATION = re.compile(
    r"(?P<name>\b(?:Proxy-)?Authorization[\"']?\s*[:=]\s*)"
    r"(?:(?P<open>[\"'])(?P<quoted>[^\"'\n]*)(?P=open)|"
    rf"(?P<value>(?:[A-Za-z][\w.\-]*[ \t]+)?{_TOKEN68}))",
    re.IGNORECASE,
)
"""An ``Authorization`` or ``Proxy-Authorization`` header and its value, as a header line
(``Authorization: Basic abc=``), in JSON (``"authorization": "Bearer x"``) or as a parameter."""
_BEARER = re.compile(rf"(?P<scheme>\bBearer\s+)(?P<token>{_TOKEN68})", re.IGNORECASE)
_BASIC = re.compile(r"(?P<scheme>\bBasic\s+)(?P<token>[A-Za-z0-9+/\-_]{4,}=*)", re.IGNORECASE)

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
    """``url`` without its user information and with secret query and fragment values masked.

    ``http://alice:pw@host/v1`` → ``http://***@host/v1``; ``https://h/v1?api_key=k`` →
    ``https://h/v1?api_key=***``; ``alice:p/w@host:9/v1`` → ``***@host:9/v1``. Without
    ``://``, whatever precedes the last ``@`` of ``url``'s first word is masked (``TOKEN@host``).
    Text that is no URL comes back unchanged (after the same replacements, which then find
    nothing).
    """
    if "://" not in url:
        word = re.match(rf"{_URL_TEXT}*", url)
        if word and "@" in word.group():
            url = f"{MASK}@{url[word.group().rindex('@') + 1 :]}"
    return _mask_urls(url)


def _mask_urls(text: str) -> str:
    """``text`` with the userinfo of every URL in it and secret parameters masked."""
    text = _URL.sub(lambda m: m.group("scheme") + _mask_userinfo(m.group("rest")), text)
    text = _BARE_URL.sub(lambda m: _mask_userinfo(m.group("rest")), text)
    return _SECRET_QUERY.sub(rf"\g<name>{MASK}", text)


def _mask_userinfo(rest: str) -> str:
    """``rest`` (a URL after ``://``) with its userinfo masked.

    When the authority RFC 3986 reads (up to the first ``/``, ``?`` or ``#``) ends in a
    plausible ``host[:port]``, the userinfo is what precedes its last ``@``; otherwise a password
    holds one of those characters unencoded, and everything up to the last ``@`` goes.
    """
    end = min((rest.find(c) % (len(rest) + 1) for c in "/?#"), default=len(rest))
    authority = rest[:end]
    if _HOST_PORT.fullmatch(authority.rpartition("@")[2]):
        at = authority.rfind("@")
    else:
        at = rest.rfind("@")
    return rest if at < 0 else f"{MASK}{rest[at:]}"


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with URL user information, secret query values, ``Authorization`` and
    ``Proxy-Authorization`` header values, ``Bearer`` tokens, ``Basic`` credentials, the
    registered secrets and ``secrets`` (values shorter than :data:`MIN_SECRET_LENGTH` characters
    ignored), and every run of :data:`FRAGMENT_LENGTH` or more characters of those values,
    replaced by ``***``."""
    if not text:
        return text
    with _lock:
        values = set(_secrets)
    values.update(s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH)
    for value in sorted(values, key=len, reverse=True):  # a key that contains another first
        if value in text:
            text = text.replace(value, MASK)
    text = _mask_fragments(text, values)
    text = _mask_urls(text)
    text = _AUTHORIZATION.sub(_masked_header, text)
    text = _BEARER.sub(rf"\g<scheme>{MASK}", text)
    return _BASIC.sub(_masked_basic, text)


@functools.lru_cache(maxsize=64)
def _fragments(value: str) -> frozenset[str]:
    """Every run of :data:`FRAGMENT_LENGTH` characters of ``value``."""
    size = FRAGMENT_LENGTH
    return frozenset(value[start : start + size] for start in range(len(value) - size + 1))


def _mask_fragments(text: str, values: Iterable[str]) -> str:
    """``text`` with each stretch made of runs of :data:`FRAGMENT_LENGTH` characters of one of
    ``values`` replaced by one ``***``."""
    spans: list[tuple[int, int]] = []
    for value in values:
        for fragment in _fragments(value):
            start = text.find(fragment)
            while start >= 0:
                spans.append((start, start + FRAGMENT_LENGTH))
                start = text.find(fragment, start + 1)
    if not spans:
        return text
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    pieces: list[str] = []
    kept = 0
    for start, end in merged:
        pieces += [text[kept:start], MASK]
        kept = end
    pieces.append(text[kept:])
    return "".join(pieces)


def _masked_header(match: re.Match[str]) -> str:
    """An ``Authorization`` header ``match`` with its value masked (its quotes kept)."""
    if match.group("open"):
        return f"{match.group('name')}{match.group('open')}{MASK}{match.group('open')}"
    return f"{match.group('name')}{MASK}"


def _masked_basic(match: re.Match[str]) -> str:
    """A ``Basic`` ``match`` with its token masked when it decodes to RFC 7617 credentials
    (``user:password`` text, also when cut short), else as it was: "basic usage" stays."""
    token = match.group("token").rstrip("=").replace("-", "+").replace("_", "/")
    whole = token[: len(token) - len(token) % 4]
    try:
        decoded = base64.b64decode(whole, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return match.group()
    if ":" not in decoded or not decoded.isprintable():
        return match.group()
    return f"{match.group('scheme')}{MASK}"


def url_secrets(url: str | None) -> tuple[str, ...]:
    """The secrets of ``url``'s user information (for :func:`register_secret`): the password
    as written and percent-decoded (the user name when there is no password: then it is a
    token) and the ``Basic`` credentials an HTTP client sends for them (RFC 7617: base64 of
    ``user:password``, with and without padding, also in the URL-safe alphabet); empty when it
    has no user information or ``url`` does not parse."""
    if not url:
        return ()
    try:
        parts = urlsplit(url)
        username, password = parts.username, parts.password
    except ValueError:
        return ()
    secret = password or username
    if not secret:
        return ()
    found = [secret, unquote(secret)]
    written = (username or "", password or "")
    for user, word in dict.fromkeys((written, (unquote(written[0]), unquote(written[1])))):
        credentials = f"{user}:{word}".encode()
        for encoded in (base64.b64encode(credentials), base64.urlsafe_b64encode(credentials)):
            token = encoded.decode("ascii")
            found += [token, token.rstrip("=")]
    return tuple(dict.fromkeys(found))


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
