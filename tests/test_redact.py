"""Secrets out of text: URL user information, secret query values, tokens, registered keys."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from howto_ls.errors import BackendConnectError
from howto_ls.redact import (
    RedactingFilter,
    forget_secrets,
    redact,
    redact_url,
    register_secret,
    url_secrets,
)


@pytest.fixture(autouse=True)
def no_registered_secrets() -> Iterator[None]:
    forget_secrets()
    yield
    forget_secrets()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://alice:S3cretPass@127.0.0.1:9/v1", "http://***@127.0.0.1:9/v1"),
        ("https://TOKEN123@example.org/v1", "https://***@example.org/v1"),
        ("http://al@ice:p@ss@host/v1", "http://***@host/v1"),  # the authority's last @
        ("http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1"),
        ("https://h/v1?api_key=k1&model=m", "https://h/v1?api_key=***&model=m"),
        ("https://h/v1?x=1&KEY=abc#f", "https://h/v1?x=1&KEY=***#f"),
        ("https://h/v1?access_token=t&token=u", "https://h/v1?access_token=***&token=***"),
        ("http://localhost:8080/users/@me", "http://localhost:8080/users/@me"),
        ("alice:S3cretPass@127.0.0.1:9/v1", "***@127.0.0.1:9/v1"),  # no scheme
        ("TOKEN123@127.0.0.1:9/v1", "***@127.0.0.1:9/v1"),
        ("http://alice:pa/ss@127.0.0.1:9/v1", "http://***@127.0.0.1:9/v1"),  # "/" in password
        ("http://alice:pa#ss@127.0.0.1:9/v1", "http://***@127.0.0.1:9/v1"),  # "#" in password
        ("http://alice:pa?ss@127.0.0.1:9/v1", "http://***@127.0.0.1:9/v1"),  # "?" in password
        ("http://alice:S3cretPass@[::1/v1", "http://***@[::1/v1"),  # unusable host
        ("http://alice:S3cretPass@h:abc/v1", "http://***@h:abc/v1"),  # unusable port
        ("http://127.0.0.1:9/v1#access_token=QSECRET", "http://127.0.0.1:9/v1#access_token=***"),
    ],
)
def test_redact_url_hides_user_information_and_secret_query_values(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_redact_finds_urls_tokens_and_registered_secrets_inside_text() -> None:
    register_secret("sk-live-0123456789")
    register_secret("abc")  # too short to replace by value: it would mask ordinary words
    text = (
        "cannot connect to http://alice:S3cretPass@h:1/v1 (key sk-live-0123456789);"
        " header Bearer sk-other-999 and Authorization: Basic YWxpY2U6cHc= abc"
    )
    shown = redact(text)
    for secret in ("alice", "S3cretPass", "sk-live-0123456789", "sk-other-999", "YWxpY2U6cHc="):
        assert secret not in shown
    assert "http://***@h:1/v1" in shown and shown.endswith(" abc")


def test_url_secrets_gives_the_password_as_written_and_decoded() -> None:
    assert url_secrets("http://alice:S3cret%40Pass@h/v1") == ("S3cret%40Pass", "S3cret@Pass")
    assert url_secrets("http://h/v1") == ()
    assert url_secrets("http://[broken/v1") == ()


def test_errors_are_redacted_when_shown() -> None:
    error = BackendConnectError("cannot connect to http://alice:S3cretPass@h/v1")
    assert str(error) == "cannot connect to http://***@h/v1"


def test_the_log_filter_redacts_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("howto_ls.test_redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("POST %s", "http://alice:S3cretPass@h/v1/chat/completions")
        try:
            raise ValueError("bad URL http://bob:Hunter22@h/v1?api_key=k-9")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "http://***@h/v1/chat/completions" in text
    assert "ValueError: bad URL http://***@h/v1?api_key=***" in text
    for secret in ("alice", "S3cretPass", "bob", "Hunter22", "k-9"):
        assert secret not in text


@pytest.mark.parametrize(
    "text",
    [
        "no answer within 3 s from fake at alice:S3cretPass@127.0.0.1:9/v1",
        "guides from fake at bob:Bob/S3cretPass@127.0.0.1:9/v1",
        "cannot connect to http://bob:pa#S3cretPass@127.0.0.1:9/v1: is it running?",
        "redirected to https://h/cb#state=x&access_token=S3cretPass",
    ],
)
def test_redact_hides_user_information_of_urls_inside_text_however_written(text: str) -> None:
    assert "S3cretPass" not in redact(text)


def test_redact_keeps_the_punctuation_after_a_masked_query_value() -> None:
    assert (
        redact("cannot connect to http://h/v1?api_key=k1: is the server running?")
        == "cannot connect to http://h/v1?api_key=***: is the server running?"
    )


def test_redact_leaves_ordinary_text_with_colons_and_at_signs_alone() -> None:
    text = "note: mail me at a@b.org at 12:30; http://localhost:8080/users/@me"
    assert redact(text) == text
