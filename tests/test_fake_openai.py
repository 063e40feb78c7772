"""The fake OpenAI server speaks real HTTP and SSE, records requests, and injects faults."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from howto_ls.testing import fake_openai as fo
from howto_ls.testing.fake_openai import FakeOpenAI, Reply


def _stream_lines(url: str, body: dict[str, object]) -> list[str]:
    with httpx.stream("POST", f"{url}/chat/completions", json=body, timeout=5) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return [line for line in response.iter_lines() if line]


def _content(lines: list[str]) -> str:
    text = ""
    for line in lines:
        payload = line.removeprefix("data:").strip()
        if not payload:
            continue
        if payload == "[DONE]":
            break
        text += json.loads(payload)["choices"][0]["delta"].get("content") or ""
    return text


def test_streams_the_answer_as_sse_chunks_ending_with_done() -> None:
    with FakeOpenAI(["Hello, streaming world!"]) as fake:
        lines = _stream_lines(fake.url, {"model": "m", "stream": True, "messages": []})
    assert lines[-1] == "data: [DONE]"
    assert all(line.startswith("data: ") for line in lines)
    assert _content(lines) == "Hello, streaming world!"
    assert len(lines) > 3  # the answer arrived in several chunks


def test_answers_with_one_json_object_when_not_streaming() -> None:
    with FakeOpenAI(["plain answer"]) as fake:
        response = httpx.post(f"{fake.url}/chat/completions", json={"model": "m", "messages": []})
    assert response.json()["choices"][0]["message"]["content"] == "plain answer"


def test_lists_its_model() -> None:
    with FakeOpenAI(model="llama-fake") as fake:
        body = httpx.get(f"{fake.url}/models").json()
    assert [m["id"] for m in body["data"]] == ["llama-fake"]


def test_records_headers_and_body_and_completion() -> None:
    with FakeOpenAI(["ok"]) as fake:
        body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
        httpx.post(f"{fake.url}/chat/completions", json=body, headers={"Authorization": "Bearer k"})
        assert fake.chat_requests[0].done.wait(2)
    request = fake.chat_requests[0]
    assert request.body == body
    assert request.headers["authorization"] == "Bearer k"
    assert request.messages == [{"role": "user", "content": "hi"}]
    assert request.completed and not request.disconnected


def test_queue_then_default_then_callable_pick_the_replies() -> None:
    with FakeOpenAI(["first"], default="again") as fake:
        answers = [
            httpx.post(f"{fake.url}/chat/completions", json={}).json()["choices"][0]["message"]
            for _ in range(3)
        ]
    assert [a["content"] for a in answers] == ["first", "again", "again"]

    def echo(request: fo.RecordedRequest) -> str:
        return f"you said {request.messages[-1]['content']}"

    with FakeOpenAI(echo) as fake:
        body = {"messages": [{"role": "user", "content": "ping"}]}
        reply = httpx.post(f"{fake.url}/chat/completions", json=body).json()
    assert reply["choices"][0]["message"]["content"] == "you said ping"


@pytest.mark.parametrize(
    ("reply", "status", "code"),
    [
        (fo.unauthorized(), 401, "invalid_api_key"),
        (fo.not_found("m"), 404, "model_not_found"),
        (fo.rate_limited("3"), 429, "rate_limit_exceeded"),
        (fo.server_error(), 500, None),
        (fo.server_error(503), 503, None),
        (fo.context_length_exceeded("m"), 400, "context_length_exceeded"),
    ],
)
def test_error_statuses_carry_openai_error_bodies(reply: Reply, status: int, code: str) -> None:
    with FakeOpenAI([reply]) as fake:
        response = httpx.post(f"{fake.url}/chat/completions", json={"stream": True})
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    if status == 429:
        assert response.headers["retry-after"] == "3"


def test_checks_the_key_and_echoes_a_wrong_one_like_openai() -> None:
    with FakeOpenAI(["ok"], api_key="sk-right") as fake:
        wrong = httpx.post(
            f"{fake.url}/chat/completions", json={}, headers={"Authorization": "Bearer sk-wrong"}
        )
        right = httpx.post(
            f"{fake.url}/chat/completions", json={}, headers={"Authorization": "Bearer sk-right"}
        )
    assert wrong.status_code == 401
    assert "sk-wrong" in wrong.json()["error"]["message"]
    assert right.status_code == 200


def test_drops_the_connection_mid_stream() -> None:
    with FakeOpenAI([fo.dropped("x" * 200, after=2)]) as fake:
        received: list[str] = []
        url = f"{fake.url}/chat/completions"
        with (
            pytest.raises(httpx.RemoteProtocolError),
            httpx.stream("POST", url, json={"stream": True}) as r,
        ):
            received.extend(line for line in r.iter_lines() if line)
    assert 1 <= len(received) <= 3
    assert "[DONE]" not in "".join(received)


def test_malformed_and_noisy_streams() -> None:
    with FakeOpenAI([fo.malformed("abc"), Reply("abc", noise=True)]) as fake:
        bad = _stream_lines(fake.url, {"stream": True})
        noisy = _stream_lines(fake.url, {"stream": True})
    assert any(line.startswith("data: {") and line.endswith("oops") for line in bad)
    assert ": keep-alive" in noisy and "event: ping" in noisy
    assert _content([line for line in noisy if line.startswith("data: ")]) == "abc"


def test_content_faults_arrive_intact() -> None:
    answers = [fo.with_chatter("GUIDE"), fo.NO_SECTIONS, 'a """quoted""" C:\\path\\n', fo.huge()]
    with FakeOpenAI([Reply(a, token_chars=4096) for a in answers]) as fake:
        got = [_content(_stream_lines(fake.url, {"stream": True})) for _ in answers]
    assert got == answers
    assert len(got[-1]) == 1_000_000
    assert got[0].startswith("Sure!") and "```markdown\nGUIDE\n```" in got[0]


def test_sees_a_client_that_goes_away_within_a_second() -> None:
    with FakeOpenAI([Reply("y" * 1000, token_delay=0.05)]) as fake:
        with httpx.stream("POST", f"{fake.url}/chat/completions", json={"stream": True}) as r:
            lines = r.iter_lines()
            next(lines)
            next(lines)
        closed_at = time.monotonic()
        request = fake.chat_requests[0]
        assert request.done.wait(2)
    assert request.disconnected and not request.completed
    assert request.disconnected_at is not None
    assert request.disconnected_at - closed_at < 1.0


def test_capacity_limits_and_max_in_flight_counts_concurrent_requests() -> None:
    with FakeOpenAI(default=Reply("z", first_token_delay=0.2), capacity=2) as fake:
        threads = [
            threading.Thread(
                target=httpx.post, args=(f"{fake.url}/chat/completions",), kwargs={"json": {}}
            )
            for _ in range(5)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=5)
    assert fake.max_in_flight == 2
    assert len(fake.chat_requests) == 5


def test_runs_standalone_with_latency_and_an_answer_file(tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text("benchmark answer", encoding="utf-8")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "howto_ls.testing.fake_openai", "--port", "0"),
            *("--latency", "0.2", "--answer-file", str(answer)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        assert url.startswith("http://127.0.0.1:")
        started = time.monotonic()
        lines = _stream_lines(url, {"stream": True})
        assert time.monotonic() - started >= 0.2
        assert _content(lines) == "benchmark answer"
    finally:
        process.terminate()
        process.wait(timeout=5)


def test_the_command_line_fake_starts_without_warnings() -> None:
    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "howto_ls.testing.fake_openai", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m howto_ls.testing.fake_openai")
    assert result.stderr == ""


def test_readme_recipe_serves_the_offline_guide_back_through_the_model_path(
    tmp_path: Path,
) -> None:
    """README, Models: the offline guide saved to a file, the standalone fake serving it, and
    ``doc`` with only ``HOWTO_BASE_URL`` set (so the default model is asked) prints it back."""
    root = Path(__file__).resolve().parent.parent
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(root)}
    doc = [sys.executable, "-m", "howto_ls", "doc", "examples/inventory/stock.py::restock"]
    offline = subprocess.run(
        doc, cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert offline.returncode == 0, offline.stderr
    answer = tmp_path / "guide.md"
    answer.write_text(offline.stdout, encoding="utf-8")

    command = [sys.executable, "-m", "howto_ls.testing.fake_openai", "--port", "0"]
    fake = subprocess.Popen(
        [*command, "--answer-file", str(answer)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert fake.stdout is not None
        url = fake.stdout.readline().split()[-1]
        model_env = {**env, "HOWTO_BASE_URL": url, "HOWTO_CACHE": "off"}
        asked = subprocess.run(
            doc, cwd=root, env=model_env, capture_output=True, text=True, timeout=120, check=False
        )
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout == offline.stdout
    # The guide came from the fake: with it gone, the same command cannot connect.
    gone = subprocess.run(
        doc, cwd=root, env=model_env, capture_output=True, text=True, timeout=120, check=False
    )
    assert gone.returncode == 1
    assert f"cannot connect to {url}" in gone.stderr
