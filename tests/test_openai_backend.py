"""The OpenAI-compatible backend against the fake server: streaming, faults, retries, limits."""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import logging
import socket
import time
from pathlib import Path

import pytest

from howto_ls.backends.openai import OpenAIBackend
from howto_ls.backends.transport import endpoint, retry_after
from howto_ls.config import Settings
from howto_ls.errors import (
    BackendAuthError,
    BackendConnectError,
    BackendContextError,
    BackendError,
    BackendNotFoundError,
    BackendRateLimitError,
    BackendResponseError,
    BackendTimeoutError,
)
from howto_ls.model import GuideRequest
from howto_ls.prompt import PromptTemplateError
from howto_ls.testing import fake_openai as fo
from howto_ls.testing.fake_openai import FakeOpenAI, Reply
from howto_ls.testing.samples import GOOD_GUIDE, QUOTES_GUIDE, total_request

KEY = "sk-test-0123456789abcdef-SECRET"


@pytest.fixture
def request_(tmp_path: Path) -> GuideRequest:
    return total_request(tmp_path)


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


def backend(url: str, key: str | None = KEY, **kw: object) -> OpenAIBackend:
    settings = Settings(
        base_url=url,
        model="fake-model",
        timeout=float(kw.pop("timeout", 10.0)),  # type: ignore[arg-type]
        max_concurrency=int(kw.pop("max_concurrency", 4)),  # type: ignore[call-overload]
    )
    options: dict[str, float] = {"retry_base_delay": 0.01, "progress_interval": 0.0}
    options.update(kw)  # type: ignore[arg-type]
    return OpenAIBackend(settings, key, **options)  # type: ignore[arg-type]


def assert_no_key(caplog: pytest.LogCaptureFixture, *texts: object) -> None:
    for text in (*texts, caplog.text, *(r.getMessage() for r in caplog.records)):
        assert KEY not in str(text)
        assert KEY not in repr(text)


async def test_streams_a_guide_with_the_key_as_bearer(request_: GuideRequest) -> None:
    with FakeOpenAI([GOOD_GUIDE], api_key=KEY) as fake:
        guide = await backend(fake.url).generate(request_)
    assert guide.steps[1] == "It looks up the rate for `region` by calling `tax_rate`."
    sent = fake.chat_requests[0]
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.body["model"] == "fake-model"
    assert sent.body["stream"] is True
    assert [m["role"] for m in sent.messages] == ["system", "user"]


async def test_sends_no_authorization_without_a_key(request_: GuideRequest) -> None:
    with FakeOpenAI([GOOD_GUIDE]) as fake:
        await backend(fake.url, key=None).generate(request_)
    assert "authorization" not in fake.chat_requests[0].headers


async def test_answer_returns_the_text_exactly(request_: GuideRequest) -> None:
    with FakeOpenAI([QUOTES_GUIDE, fo.with_chatter(GOOD_GUIDE)]) as fake:
        b = backend(fake.url)
        assert await b.answer(request_) == QUOTES_GUIDE
        assert (await b.generate(request_)).example.startswith("from shop import total")


async def test_reads_a_json_answer_when_the_server_does_not_stream(
    request_: GuideRequest,
) -> None:
    with FakeOpenAI([Reply(GOOD_GUIDE, as_json=True)]) as fake:
        assert await backend(fake.url).answer(request_) == GOOD_GUIDE


async def test_tolerates_comments_and_unknown_sse_fields(request_: GuideRequest) -> None:
    with FakeOpenAI([Reply(GOOD_GUIDE, noise=True)]) as fake:
        assert await backend(fake.url).answer(request_) == GOOD_GUIDE


async def test_progress_follows_the_stream_at_a_bounded_rate(request_: GuideRequest) -> None:
    messages: list[tuple[float, str]] = []
    with FakeOpenAI([Reply(GOOD_GUIDE, token_chars=4, token_delay=0.002)]) as fake:
        b = backend(fake.url, progress_interval=0.05)
        await b.answer(request_, lambda m: messages.append((time.monotonic(), m)))
    texts = [m for _, m in messages]
    assert texts[0] == "Asking fake-model at " + fake.url.split("/")[2]
    assert any(t.startswith("Writing Execution Steps: step") for t in texts)
    assert texts.index("Writing Description") < texts.index("Writing Usage Example")
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(messages[1:])]
    assert all(gap >= 0.049 for gap in gaps)


# --- faults: one clear error each, never the key -----------------------------------------------


@pytest.mark.parametrize(
    ("reply", "error", "words", "requests"),
    [
        (fo.unauthorized(), BackendAuthError, "rejected the API key (401): set HOWTO_API_KEY", 1),
        (fo.not_found(), BackendNotFoundError, "model 'fake-model' or URL", 1),
        (
            fo.context_length_exceeded(),
            BackendContextError,
            "the prompt (≈9001 tokens) is longer than the context of model fake-model",
            1,
        ),
        (
            fo.context_exceeded_llamacpp(831, 512),
            BackendContextError,
            "(≈831 tokens) is longer than the context of model fake-model (request (831 tokens)"
            " exceeds the available context size (512 tokens), try increasing it): raise the"
            " server's context size (llama.cpp `-c`/`--n_ctx`, Ollama `num_ctx`)",
            1,
        ),
        (
            fo.empty_stream_context_exceeded(831, 512),
            BackendContextError,
            "the prompt (≈831 tokens) is longer than the context of model fake-model",
            2,
        ),
        (
            fo.cut_off(GOOD_GUIDE, after=3),
            BackendResponseError,
            "was cut off after 24 characters (the stream ended without finish_reason or [DONE]",
            4,
        ),
        (
            fo.token_cap(GOOD_GUIDE, after=3),
            BackendResponseError,
            "the answer reached the token cap (maxTokens=2048) after 24 characters: raise"
            " howto.maxTokens or use a model that stops",
            1,
        ),
        (fo.content_filtered(GOOD_GUIDE), BackendResponseError, "finish_reason content_filter", 1),
        (
            fo.dropped_for_another(),
            BackendResponseError,
            "dropped this request for another (it serves fewer requests at once than"
            " howto.maxConcurrency=4): lower maxConcurrency / --concurrency, or start the server"
            " with more parallel slots",
            4,
        ),
        (fo.empty(), BackendResponseError, "the model returned an empty answer", 1),
        (Reply(fo.NO_SECTIONS), BackendResponseError, "is not a guide (Description section", 1),
        (fo.malformed(GOOD_GUIDE), BackendResponseError, "stream event that is not JSON", 1),
        (fo.dropped(GOOD_GUIDE, after=3), BackendResponseError, "cut off after 24 characters", 4),
        (Reply(fo.huge(), token_chars=1024), BackendResponseError, "passed 200,000 characters", 1),
        (fo.rate_limited("0"), BackendRateLimitError, "rate limited (429)", 4),
        (fo.server_error(), BackendResponseError, "failed (500) after 3 retries", 4),
        (fo.server_error(502), BackendResponseError, "failed (502) after 3 retries", 4),
    ],
)
async def test_each_fault_is_one_clear_line_without_the_key(
    request_: GuideRequest,
    caplog: pytest.LogCaptureFixture,
    reply: Reply,
    error: type[BackendError],
    words: str,
    requests: int,
) -> None:
    with FakeOpenAI(default=reply) as fake:
        with pytest.raises(error) as caught:
            await backend(fake.url).generate(request_)
        assert len(fake.chat_requests) == requests
    message = str(caught.value)
    assert words in message
    assert "\n" not in message and ": " in message
    assert_no_key(caplog, message, caught.value, caught.value.__cause__, caught.value.__context__)


async def test_a_wrong_key_echoed_by_the_server_is_never_repeated(
    request_: GuideRequest, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeOpenAI([GOOD_GUIDE], api_key="sk-the-right-one") as fake:
        b = backend(fake.url)
        with pytest.raises(BackendAuthError) as caught:
            await b.generate(request_)
    assert "rejected the API key (401)" in str(caught.value)
    assert_no_key(caplog, caught.value, repr(b), vars(b))


async def test_missing_key_says_one_is_needed(request_: GuideRequest) -> None:
    with (
        FakeOpenAI([GOOD_GUIDE], api_key=KEY) as fake,
        pytest.raises(BackendAuthError, match="needs an API key"),
    ):
        await backend(fake.url, key=None).generate(request_)


async def test_a_closed_port_says_the_server_is_not_running(
    request_: GuideRequest, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1"
    with pytest.raises(BackendConnectError) as caught:
        await backend(url).generate(request_)
    assert str(caught.value) == f"cannot connect to {url}: is the model server running?"
    assert_no_key(caplog, caught.value)


async def test_no_first_token_in_time(request_: GuideRequest) -> None:
    with FakeOpenAI([Reply(GOOD_GUIDE, first_token_delay=3)]) as fake:
        started = time.monotonic()
        with pytest.raises(BackendTimeoutError, match=r"no first token within 0.3 s"):
            await backend(fake.url, first_token_timeout=0.3).generate(request_)
    assert time.monotonic() - started < 2


async def test_keep_alive_comments_do_not_reset_the_first_token_timeout(
    request_: GuideRequest,
) -> None:
    # llama.cpp's server sends ": ping" while a request waits; httpx's read timer sees bytes.
    with FakeOpenAI([Reply(GOOD_GUIDE, first_token_delay=5, ping_every=0.1)]) as fake:
        started = time.monotonic()
        with pytest.raises(BackendTimeoutError, match=r"no first token within 0.5 s"):
            await backend(fake.url, first_token_timeout=0.5).generate(request_)
    assert time.monotonic() - started < 2


async def test_the_pause_between_contents_is_measured_on_content(
    request_: GuideRequest,
) -> None:
    reply = Reply(GOOD_GUIDE, token_delay=0.05, token_chars=16)
    with FakeOpenAI([reply]) as fake:
        # Slower in total than the timeout, but never silent for that long: it passes.
        assert await backend(fake.url, first_token_timeout=0.5).answer(request_) == GOOD_GUIDE
    stalling = Reply(GOOD_GUIDE, token_delay=2.0, token_chars=400)
    with (
        FakeOpenAI([stalling]) as fake,
        pytest.raises(BackendTimeoutError, match=r"the stream stalled for 0.5 s"),
    ):
        await backend(fake.url, first_token_timeout=0.5).answer(request_)


async def test_sends_the_token_cap(request_: GuideRequest) -> None:
    with FakeOpenAI([GOOD_GUIDE]) as fake:
        b = OpenAIBackend(Settings(base_url=fake.url, model="m", max_tokens=700), None)
        await b.answer(request_)
        await b.aclose()
    assert fake.chat_requests[0].body["max_tokens"] == 700
    assert "max_completion_tokens" not in fake.chat_requests[0].body


async def test_switches_to_max_completion_tokens_once_and_remembers(
    request_: GuideRequest,
) -> None:
    with FakeOpenAI(default=Reply(GOOD_GUIDE, reject_max_tokens=True)) as fake:
        b = backend(fake.url)
        assert await b.answer(request_) == GOOD_GUIDE
        assert await b.answer(request_) == GOOD_GUIDE
        await b.aclose()
    bodies = [r.body for r in fake.chat_requests]
    assert len(bodies) == 3  # the refused one, then one each with the new name
    assert bodies[0]["max_tokens"] == 2048
    assert [("max_tokens" in b, b.get("max_completion_tokens")) for b in bodies[1:]] == [
        (False, 2048),
        (False, 2048),
    ]


async def test_an_empty_stream_is_asked_again_without_streaming(
    request_: GuideRequest,
) -> None:
    reply = Reply(GOOD_GUIDE, empty_when_streamed=True)
    with FakeOpenAI(default=reply) as fake:
        assert await backend(fake.url).answer(request_) == GOOD_GUIDE
    assert [r.body["stream"] for r in fake.chat_requests] == [True, False]


async def test_a_dropped_request_is_retried_and_then_succeeds(request_: GuideRequest) -> None:
    with FakeOpenAI([fo.dropped_for_another(), GOOD_GUIDE]) as fake:
        assert await backend(fake.url).answer(request_) == GOOD_GUIDE
    assert len(fake.chat_requests) == 2


async def test_an_answer_cut_off_is_retried_and_the_full_one_used(
    request_: GuideRequest,
) -> None:
    with FakeOpenAI([fo.cut_off(GOOD_GUIDE, after=5), GOOD_GUIDE]) as fake:
        assert await backend(fake.url).answer(request_) == GOOD_GUIDE
    assert len(fake.chat_requests) == 2


async def test_a_json_answer_that_hit_the_cap_says_so(request_: GuideRequest) -> None:
    reply = Reply(GOOD_GUIDE[:40], as_json=True, finish_reason="length")
    with FakeOpenAI([reply]) as fake, pytest.raises(BackendResponseError, match="token cap"):
        await backend(fake.url).answer(request_)


async def test_total_timeout_stops_a_slow_stream(request_: GuideRequest) -> None:
    with FakeOpenAI([Reply(GOOD_GUIDE, token_delay=0.05)]) as fake:
        started = time.monotonic()
        with pytest.raises(BackendTimeoutError, match=r"no answer within 0.4 s .*howto.timeout"):
            await backend(fake.url, timeout=0.4).generate(request_)
        elapsed = time.monotonic() - started
        assert fake.chat_requests[0].done.wait(1)
    assert 0.4 <= elapsed < 1.5
    assert fake.chat_requests[0].disconnected


# --- retries ------------------------------------------------------------------------------------


async def test_retry_after_seconds_is_honoured(request_: GuideRequest) -> None:
    with FakeOpenAI([fo.rate_limited("0.4"), fo.server_error(), GOOD_GUIDE]) as fake:
        await backend(fake.url).generate(request_)
    first, second, third = (r.received_at for r in fake.chat_requests)
    assert 0.4 <= second - first < 1.0
    assert third - second < 0.4  # the 500 had no Retry-After: short backoff


async def test_long_retry_after_is_capped(request_: GuideRequest) -> None:
    with FakeOpenAI([fo.rate_limited("3600"), GOOD_GUIDE]) as fake:
        await backend(fake.url, max_retry_delay=0.3).generate(request_)
    first, second = (r.received_at for r in fake.chat_requests)
    assert 0.3 <= second - first < 1.0


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after("2") == 2.0
    assert retry_after("1.5") == 1.5
    assert retry_after(None) is None
    assert retry_after("soon") is None
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    wait = retry_after(later)
    assert wait is not None and 28 <= wait <= 31
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert retry_after(past) == 0.0


async def test_backoff_grows_withoutretry_after(request_: GuideRequest) -> None:
    replies: list[Reply | str] = [
        fo.server_error(),
        fo.server_error(),
        fo.server_error(),
        GOOD_GUIDE,
    ]
    with FakeOpenAI(replies) as fake:
        await backend(fake.url, retry_base_delay=0.1).generate(request_)
    times = [r.received_at for r in fake.chat_requests]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) == 3
    assert 0.05 <= gaps[0] < 0.4 and 0.2 <= gaps[2] < 1.0  # about 0.1 s, then about 0.4 s


async def test_connection_refused_fails_at_once_naming_the_server(
    request_: GuideRequest,
) -> None:
    port = _free_port()
    b = backend(f"http://127.0.0.1:{port}/v1", retry_base_delay=5.0)
    started = time.monotonic()
    with pytest.raises(BackendConnectError, match=f"127.0.0.1:{port}/v1: is the model server"):
        await b.answer(request_)
    assert time.monotonic() - started < 2.0  # no backoff before telling the user


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- cancellation and concurrency ---------------------------------------------------------------


async def test_cancelling_closes_the_stream_at_once(request_: GuideRequest) -> None:
    writing = asyncio.Event()

    def progress(message: str) -> None:
        if message.startswith("Writing"):
            writing.set()

    with FakeOpenAI([Reply(GOOD_GUIDE * 20, token_delay=0.05)]) as fake:
        task = asyncio.create_task(backend(fake.url).answer(request_, progress))
        await asyncio.wait_for(writing.wait(), 5)
        cancelled_at = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        request = fake.chat_requests[0]
        assert await asyncio.to_thread(request.done.wait, 2)
    assert request.disconnected and not request.completed
    assert request.disconnected_at is not None
    assert request.disconnected_at - cancelled_at < 1.0


async def test_requests_reuse_one_connection(request_: GuideRequest) -> None:
    # The stream is read past [DONE] to its end, or the connection could not be kept alive
    # and every guide would pay a new TCP (and TLS) handshake.
    with FakeOpenAI(default=GOOD_GUIDE) as fake:
        model = backend(fake.url)
        for _ in range(3):
            await model.generate(request_)
        await model.aclose()
    assert len(fake.chat_requests) == 3
    assert fake.connections == 1


async def test_a_stream_left_open_after_done_costs_at_most_the_drain_timeout(
    request_: GuideRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("howto_ls.backends.transport.DRAIN_TIMEOUT", 0.3)
    with FakeOpenAI([Reply(GOOD_GUIDE, linger=30.0), GOOD_GUIDE]) as fake:
        model = backend(fake.url)
        started = time.monotonic()
        guide = await model.generate(request_)
        assert time.monotonic() - started < 5.0
        assert guide.steps[1] == "It looks up the rate for `region` by calling `tax_rate`."
        await model.generate(request_)  # on a new connection: the lingering one was dropped
        await model.aclose()
    assert fake.connections == 2


async def test_at_most_max_concurrency_requests_in_flight(request_: GuideRequest) -> None:
    with FakeOpenAI(default=Reply(GOOD_GUIDE, token_chars=64, token_delay=0.02)) as fake:
        b = backend(fake.url, max_concurrency=2)
        answers = await asyncio.gather(*(b.answer(request_) for _ in range(6)))
        await b.aclose()
    assert answers == [GOOD_GUIDE] * 6
    assert fake.max_in_flight == 2


def test_a_broken_prompt_file_fails_at_start(tmp_path: Path) -> None:
    template = tmp_path / "prompt.md"
    template.write_text("Document {code} in {langauge}", encoding="utf-8")
    settings = Settings(base_url="http://127.0.0.1:9/v1", prompt_file=str(template))
    with pytest.raises(PromptTemplateError, match=r"unknown placeholder \{langauge\}"):
        OpenAIBackend(settings, KEY, workspace=tmp_path)


def test_describe_and_repr_name_model_and_host_only() -> None:
    b = OpenAIBackend(Settings(base_url="http://localhost:11434/v1/", model="llama3"), KEY)
    assert b.describe() == "llama3 at localhost:11434"
    assert b.base_url == "http://localhost:11434/v1"
    assert KEY not in repr(b) and KEY not in repr(vars(b))


@pytest.mark.parametrize(
    ("base_url", "url"),
    [
        ("http://h:1/v1", "http://h:1/v1/chat/completions"),
        ("http://h:1/v1/", "http://h:1/v1/chat/completions"),
        (
            "https://r.openai.azure.com/openai/deployments/d?api-version=2024-06-01",
            "https://r.openai.azure.com/openai/deployments/d/chat/completions"
            "?api-version=2024-06-01",
        ),
        ("http://h/v1/?a=1&b=2#frag", "http://h/v1/chat/completions?a=1&b=2"),
    ],
)
def test_the_endpoint_goes_on_the_path_and_a_query_stays_at_the_end(
    base_url: str, url: str
) -> None:
    assert endpoint(base_url, "chat/completions") == url
