"""Secrets out of text: URL user information, secret query values, tokens, registered keys."""

from __future__ import annotations

import base64
import io
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from howto_ls.errors import BackendConnectError
from howto_ls.redact import (
    FRAGMENT_LENGTH,
    RedactingFilter,
    forget_secrets,
    redact,
    redact_url,
    register_secret,
    url_secrets,
)
from howto_ls.testing.fake_openai import FakeOpenAI, RecordedRequest, Reply

KEY = "sk-DECOY1234567890abcdef"
PASSWORD = "pW0rd-Decoy"
CREDENTIALS = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()  # what Basic auth sends


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
    found = url_secrets("http://alice:S3cret%40Pass@h/v1")
    assert found[:2] == ("S3cret%40Pass", "S3cret@Pass")
    assert url_secrets("http://h/v1") == ()
    assert url_secrets("http://[broken/v1") == ()


def test_url_secrets_gives_the_basic_credentials_a_client_sends_for_the_url() -> None:
    found = url_secrets("http://alice:S3cret%40Pass@h/v1")
    sent = base64.b64encode(b"alice:S3cret@Pass").decode()  # httpx decodes the userinfo
    assert sent in found and sent.rstrip("=") in found
    assert base64.b64encode(b"alice:S3cret%40Pass").decode() in found
    token_only = url_secrets("https://TOKEN1234@h/v1")  # a user name alone is a token
    assert token_only[0] == "TOKEN1234"
    assert base64.b64encode(b"TOKEN1234:").decode() in token_only


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Basic {CREDENTIALS}",
        f"header was basic {CREDENTIALS} (rejected)",
        f"was refused: Basic {CREDENTIALS[:13]}...",  # cut short, still user:pass
        '{"headers": {"authorization": "Token s3cr3t-v4lue", "x": 1}}',
        "{'Proxy-Authorization': 'Negotiate YIIabcdef=='}",
        "proxy-authorization=Digest-ish Zm9vYmFyYmF6",
        "got Bearer eyJhbGciOi.J9.abc-def_ghi",
    ],
)
def test_redact_masks_credentials_and_authorization_values_however_quoted(text: str) -> None:
    shown = redact(text)
    for secret in (CREDENTIALS[:12], "s3cr3t-v4lue", "YIIabcdef", "Zm9vYmFyYmF6", "eyJhbGciOi"):
        assert secret not in shown
    assert "***" in shown


def test_redact_leaves_the_word_basic_in_prose_alone() -> None:
    text = "Basic usage: see Basic authentication, basic examples and the bearer of news"
    assert redact(text) == text


def test_redact_masks_fragments_of_registered_secrets_a_server_quotes() -> None:
    register_secret(KEY)
    shown = redact(f"Incorrect API key provided: {KEY[:12]}***...{KEY[-4:]}; also {KEY[5:15]}")
    assert shown == "Incorrect API key provided: ******...cdef; also ***"
    short = KEY[: FRAGMENT_LENGTH - 1]  # shorter runs are too likely by chance to mask
    assert redact(f"prefix {short}") == f"prefix {short}"


def test_redact_masks_the_basic_credentials_of_a_registered_url() -> None:
    for value in url_secrets(f"http://alice:{PASSWORD}@127.0.0.1:9/v1"):
        register_secret(value)
    shown = redact(f"token={CREDENTIALS} decoded=alice:{PASSWORD} key {CREDENTIALS[:12]}...")
    assert shown == "token=*** decoded=alice:*** key ***..."


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


def echoing(request: RecordedRequest) -> Reply:
    """A model server's 400 that quotes the credentials it got, whole, decoded and cut short."""
    header = request.headers.get("authorization", "")
    raw = header.partition(" ")[2]
    try:
        decoded = base64.b64decode(raw).decode()
    except ValueError:
        decoded = ""
    message = (
        f"invalid credentials token={raw} decoded={decoded} key {raw[:12]}... "
        f"header was {header}; Authorization: {header}"
    )
    return Reply(status=400, error={"error": {"message": message, "code": None}})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "core.py").write_text(
        'def add(a: int, b: int) -> int:\n    """Add two numbers."""\n    return a + b\n'
    )
    return root


def howto(project: Path, base_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(project),
        "XDG_CACHE_HOME": str(project / ".cache"),
        "HOWTO_BASE_URL": base_url,
        "HOWTO_MODEL": "fake-model",
        "HOWTO_API_KEY": KEY,
        "HOWTO_TIMEOUT": "20",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    return subprocess.run(
        [sys.executable, "-m", "howto_ls", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("with_password", [True, False], ids=["url-password", "key-only"])
@pytest.mark.parametrize(
    "args",
    [
        ("doc", "pkg/core.py::add", "--no-cache"),
        ("generate", "pkg", "--dry-run", "--no-progress", "--format", "github"),
        ("generate", "pkg", "--dry-run", "--no-progress", "--format", "json"),
    ],
    ids=["doc", "github", "json"],
)
def test_credentials_a_model_server_echoes_never_reach_the_output(
    project: Path, args: tuple[str, ...], with_password: bool
) -> None:
    with FakeOpenAI(echoing) as fake:
        url = fake.url.replace("//", f"//alice:{PASSWORD}@") if with_password else fake.url
        result = howto(project, url, *args)
        assert fake.chat_requests, result.stderr
    output = result.stdout + result.stderr
    assert "refused the request (400" in output
    for secret in (PASSWORD, KEY, KEY[:12], CREDENTIALS, CREDENTIALS[:12]):
        assert secret not in output
    assert result.returncode == 1


@pytest.mark.parametrize("unit", ["a.", "a-", "a+"])
def test_long_runs_of_scheme_characters_take_linear_time(unit: str) -> None:
    """A long dotted name echoed in an error (``a.a.a.…``, 200,000 characters) is redacted in
    one pass: the scheme pattern starts only where a run starts. Quadratic matching took over
    four seconds for 40,000 characters and would take minutes here."""
    text = unit * 100_000 + " http://user:pw@host/v1"
    started = time.perf_counter()
    masked = redact(text)
    assert time.perf_counter() - started < 5.0
    assert masked.endswith(" http://***@host/v1")
