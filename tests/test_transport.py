"""The transport on its own, over real HTTP to the fake server on 127.0.0.1: no API's JSON here.

Bodies are sent as given and events come back as text; what they mean is the wire format's
business (tests/test_wire_openai_chat.py).
"""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import pytest

from howto_ls.backends.transport import (
    Retryable,
    StreamBroken,
    StreamSilent,
    Transport,
    one_line,
    retry_after,
)
from howto_ls.errors import BackendConnectError, BackendRateLimitError, BackendTimeoutError
from howto_ls.testing import fake_openai as fo
from howto_ls.testing.fake_openai import FakeOpenAI, Reply

KEY = "sk-transport-0123456789-SECRET"
BODY = {"model": "fake-model", "messages": [], "stream": True}
PATH = "chat/completions"


def transport(url: str, **kw: Any) -> Transport:
    options: dict[str, Any] = {
        "secret": KEY,
        "label": "fake-model at the fake",
        "connect_timeout": 2.0,
        "silence_timeout": 2.0,
        "total_timeout": 10.0,
        "retry_base_delay": 0.01,
    }
    options.update(kw)
    return Transport(url, {"Authorization": f"Bearer {KEY}"}, **options)


async def read_all(http: Transport, body: Any = BODY, heard: bool = True) -> list[str]:
    """The data of every event of one request; each one that has data counts as content."""
    data: list[str] = []
    async with http.post(PATH, body) as response:
        events = http.events(response, time.monotonic())
        async for event in events:
            if event.data and heard:
                events.heard()
            data.append(event.data)
            if event.data == "[DONE]":
                await events.drain()
                break
    return data


async def answer_or_retry(http: Transport) -> list[str]:
    """One attempt as a backend makes it: a 429 or 5xx is Retryable, with its Retry-After."""
    async with http.post(PATH, BODY) as response:
        if response.status_code in (429, 503):
            raise Retryable(
                BackendRateLimitError(f"busy ({response.status_code})"),
                retry_after(response.headers.get("retry-after")),
                f"the server answered {response.status_code}",
            )
    return await read_all(http)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_posts_the_body_as_json_with_the_headers_and_reads_the_events() -> None:
    with FakeOpenAI(["Hello"]) as fake:
        http = transport(fake.url + "/")
        data = await read_all(http)
        await http.aclose()
    (sent,) = fake.chat_requests
    assert sent.body == BODY
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.headers["content-type"] == "application/json"
    assert data[-1] == "[DONE]" and '"content": "Hello"' in data[1]


async def test_retries_follow_retry_after_on_429_and_503() -> None:
    busy = Reply(status=503, error={"error": {"message": "busy"}}, headers={"Retry-After": "0.2"})
    said: list[str] = []
    with FakeOpenAI([fo.rate_limited("0.4"), busy, "Hello"]) as fake:
        http = transport(fake.url)
        data = await http.call(lambda: answer_or_retry(http), said.append)
        await http.aclose()
    first, second, third, _ = (r.received_at for r in fake.chat_requests)
    assert 0.4 <= second - first < 1.0
    assert 0.2 <= third - second < 0.6
    assert data[-1] == "[DONE]"
    assert said == ["Retrying in 0 s (1/3)", "Retrying in 0 s (2/3)"]


async def test_retries_are_bounded_and_the_last_error_is_raised() -> None:
    with FakeOpenAI(default=fo.rate_limited("0")) as fake:
        http = transport(fake.url, max_retries=2)
        with pytest.raises(BackendRateLimitError, match=r"busy \(429\)"):
            await http.call(lambda: answer_or_retry(http))
        await http.aclose()
    assert len(fake.chat_requests) == 3


async def test_a_long_retry_after_is_capped() -> None:
    with FakeOpenAI([fo.rate_limited("3600"), "Hello"]) as fake:
        http = transport(fake.url, max_retry_delay=0.3)
        await http.call(lambda: answer_or_retry(http))
        await http.aclose()
    first, second, _ = (r.received_at for r in fake.chat_requests)
    assert 0.3 <= second - first < 1.0


async def test_the_total_timeout_names_the_last_failure() -> None:
    with FakeOpenAI(default=fo.rate_limited("5")) as fake:
        http = transport(fake.url, total_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(BackendTimeoutError) as caught:
            await http.call(lambda: answer_or_retry(http))
        await http.aclose()
    assert time.monotonic() - started < 2.0
    assert str(caught.value) == (
        "no answer within 0.5 s from fake-model at the fake (the last attempt: the server "
        "answered 429): raise howto.timeout or use a faster model"
    )


async def test_silence_is_measured_on_content_not_on_keep_alive_comments() -> None:
    # ": ping" comments keep bytes flowing, so httpx's read timeout never fires: the event
    # stream's own clock must.
    with FakeOpenAI([Reply("Hello", first_token_delay=5, ping_every=0.1)]) as fake:
        http = transport(fake.url, silence_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(StreamSilent):
            await read_all(http)
        await http.aclose()
    assert 0.5 <= time.monotonic() - started < 2.0


async def test_content_resets_the_silence_and_nothing_else_does() -> None:
    slow = Reply("Hello, world, slowly", token_chars=2, token_delay=0.15)
    with FakeOpenAI([slow, slow]) as fake:
        http = transport(fake.url, silence_timeout=0.4)
        started = time.monotonic()
        data = await read_all(http)  # 10 contents, 1.5 s in all, never 0.4 s apart
        assert time.monotonic() - started >= 1.3 and data[-1] == "[DONE]"
        with pytest.raises(StreamSilent):
            await read_all(http, heard=False)  # the same stream, with no content heard
        await http.aclose()


async def test_no_headers_within_the_silence_timeout_is_silence_too() -> None:
    with FakeOpenAI([Reply("Hello", first_token_delay=3)]) as fake:
        http = transport(fake.url, silence_timeout=0.3)
        started = time.monotonic()
        with pytest.raises(StreamSilent):
            await read_all(http)
        await http.aclose()
    assert time.monotonic() - started < 2.0


async def test_a_connection_dropped_mid_stream_is_broken() -> None:
    with FakeOpenAI([fo.dropped("Hello, world", after=1)]) as fake:
        http = transport(fake.url)
        with pytest.raises(StreamBroken):
            await read_all(http)
        await http.aclose()


async def test_cancelling_closes_the_connection_at_once() -> None:
    with FakeOpenAI([Reply("Hello" * 200, token_chars=1, token_delay=0.05)]) as fake:
        http = transport(fake.url)
        task = asyncio.create_task(read_all(http))
        assert await asyncio.to_thread(fake.wait_for_requests, 1)
        await asyncio.sleep(0.2)
        cancelled_at = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        request = fake.chat_requests[0]
        assert await asyncio.to_thread(request.done.wait, 2)
        await http.aclose()
    assert request.disconnected and not request.completed
    assert request.disconnected_at is not None and request.disconnected_at - cancelled_at < 1.0


async def test_a_refused_connection_is_one_clear_error_at_once() -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1"
    http = transport(url, retry_base_delay=5.0)
    started = time.monotonic()
    with pytest.raises(BackendConnectError) as caught:
        await http.call(lambda: read_all(http))
    assert str(caught.value) == f"cannot connect to {url}: is the model server running?"
    assert time.monotonic() - started < 2.0


async def test_slots_bound_the_requests_in_flight() -> None:
    with FakeOpenAI(default=Reply("Hello", token_chars=1, token_delay=0.02)) as fake:
        http = transport(fake.url, max_concurrency=2)

        async def one() -> list[str]:
            async with http.slot():
                return await read_all(http)

        answers = await asyncio.gather(*(one() for _ in range(5)))
        await http.aclose()
    assert all(data[-1] == "[DONE]" for data in answers)
    assert fake.max_in_flight == 2


async def test_drained_streams_reuse_one_connection_and_a_new_loop_gets_a_new_client() -> None:
    with FakeOpenAI(default="Hello") as fake:
        http = transport(fake.url)
        for _ in range(3):
            await read_all(http)

        async def elsewhere() -> None:
            await read_all(http)
            await http.aclose()

        await asyncio.to_thread(asyncio.run, elsewhere())  # another event loop, another client
        await read_all(http)  # and back here, a new one: the other loop's is closed
        await http.aclose()
    assert len(fake.chat_requests) == 5
    assert fake.connections == 3


def test_secrets_stay_out_of_repr_and_messages() -> None:
    http = transport("http://user:UrlPassw0rd@127.0.0.1:9/v1?api_key=QSECRET")
    assert http.shown_url == "http://***@127.0.0.1:9/v1?api_key=***"
    assert "UrlPassw0rd" not in repr(http) and "QSECRET" not in repr(http)
    assert KEY not in repr(http) and KEY not in repr(vars(http))
    scrubbed = http.scrub(f"Incorrect API key {KEY} for http://user:UrlPassw0rd@host/")
    assert KEY not in scrubbed and "UrlPassw0rd" not in scrubbed


def test_delays_follow_retry_after_or_grow_and_stay_capped() -> None:
    http = transport("http://127.0.0.1:9/v1", retry_base_delay=1.0, max_retry_delay=5.0)
    assert http.delay(0, 2.5) == 2.5
    assert http.delay(0, 60.0) == 5.0
    assert 0.5 <= http.delay(0, None) <= 1.5
    assert 2.0 <= http.delay(2, None) <= 5.0
    assert http.delay(10, None) == 5.0


def test_one_line_joins_and_shortens() -> None:
    assert one_line("a\n  b\tc") == "a b c"
    assert one_line("x" * 400, limit=10) == "x" * 9 + "…"
