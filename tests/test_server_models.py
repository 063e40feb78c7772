"""``howto.generate`` against a faulty model server: clear messages, no edits, no leaked key."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types

from howto_ls.guide import HEADING
from howto_ls.testing import FakeOpenAI, Reply
from howto_ls.testing import fake_openai as fakes
from howto_ls.testing.fake_openai import (
    NO_SECTIONS,
    context_length_exceeded,
    dropped,
    empty,
    malformed,
    not_found,
    rate_limited,
    server_error,
)
from howto_ls.testing.samples import CART_SOURCE, GOOD_GUIDE, INVENTED_GUIDE, write_project
from tests.lsp_client import Editor, code_actions, line_of, run_action, running_server, wait_for

SECRET = "sk-howto-test-0123456789-SECRET-abcdef"
USE_OFFLINE = "Use offline guide"


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def model_options(fake: FakeOpenAI) -> dict[str, Any]:
    return {"howto": {"backend": "openai", "baseUrl": fake.url, "model": fake.model}}


def key_env() -> dict[str, str]:
    return {"HOWTO_API_KEY": SECRET}


def cart(editor: Editor) -> str:
    """The URI of ``shop/cart.py``, opened in the editor on first use."""
    uri = editor.uri("shop/cart.py")
    return uri if uri in editor.buffers else editor.open("shop/cart.py")


async def generate_total(editor: Editor, uri: str) -> Any:
    """Run "Generate how-to doc" on ``total`` the way an editor does."""
    line, col = line_of(editor.text(uri), "def total")
    actions = await code_actions(editor, uri, line, col + 5)
    chosen = [a for a in actions if a.title == "Generate how-to doc"]
    assert chosen, [a.title for a in actions]
    return await asyncio.wait_for(run_action(editor, chosen[0]), 30)


def everything_said(editor: Editor) -> list[str]:
    """Every text the server sent the user or wrote to its stderr."""
    client = editor.client
    texts = [m.message for m in client.messages]
    texts += [m.message for m in client.log_messages]
    texts += [r.message for r in editor.requests_shown]
    for reports in client.progress_reports.values():
        texts += [str(getattr(r, "message", None) or getattr(r, "title", "")) for r in reports]
    texts += editor.stderr
    return texts


def assert_no_secret(editor: Editor) -> None:
    leaks = [text for text in everything_said(editor) if SECRET in text or SECRET[-12:] in text]
    assert leaks == []


# --- Faults: one server, one fake, one fault per test --------------------------------------------

pytestmark = pytest.mark.asyncio(loop_scope="module")


@dataclass(frozen=True)
class Fault:
    """A fault, the chat requests it takes, and words the user's message must contain."""

    name: str
    replies: tuple[Reply | str, ...]
    requests: int
    cause: str
    fix: str
    settings: dict[str, Any] = field(default_factory=dict)
    wrong_key: bool = False  # the fake expects another key (and echoes the one it got)
    offers_offline: bool = False


def echoing(reply: Reply) -> Reply:
    """``reply`` with the key echoed in its error message, as some servers do."""
    body = dict(reply.error or {})
    error = dict(body.get("error", {}))
    error["message"] = f"{error.get('message', '')} (key {SECRET})"
    return dataclasses.replace(reply, error={"error": error})


def fast_retries(reply: Reply) -> Reply:
    return dataclasses.replace(reply, headers={"Retry-After": "0"})


FAULTS = [
    Fault("unauthorized", (), 1, "rejected the API key (401)", "HOWTO_API_KEY", wrong_key=True),
    Fault("not found", (not_found(),), 1, "not found (404)", "check howto.model and howto.baseUrl"),
    Fault(
        "rate limited",
        tuple(echoing(rate_limited(retry_after="0")) for _ in range(4)),
        4,
        "rate limited (429) by",
        "lower howto.maxConcurrency",
    ),
    Fault(
        "server error",
        tuple(echoing(fast_retries(server_error(500))) for _ in range(4)),
        4,
        "failed (500) after 3 retries",
        "try again later",
    ),
    Fault(
        "dropped mid-stream",
        tuple(dropped(GOOD_GUIDE, after=3) for _ in range(4)),
        4,
        "was cut off after 24 characters",
        "try again",
    ),
    Fault(
        "token cap",
        (fakes.token_cap(GOOD_GUIDE),),
        1,
        "reached the token cap (maxTokens=2048)",
        "raise howto.maxTokens or use a model that stops",
    ),
    Fault(
        "content filter",
        (fakes.content_filtered(GOOD_GUIDE),),
        1,
        "content filter stopped the answer",
        "nothing was written",
    ),
    Fault(
        "empty stream, context exceeded",
        (fakes.empty_stream_context_exceeded(831, 512),) * 2,
        2,
        "the prompt (≈831 tokens) is longer than the context",
        "raise the server's context size (llama.cpp `-c`/`--n_ctx`, Ollama `num_ctx`)",
    ),
    Fault(
        "JSON schema refused",
        (Reply(GOOD_GUIDE, reject_response_format=True),),
        1,
        "refused the JSON schema",
        "set howto.structuredOutput to auto or off",
        settings={"structuredOutput": "on"},
    ),
    Fault(
        "pings but no token",
        (Reply(content=GOOD_GUIDE, first_token_delay=10, ping_every=0.1),),
        1,
        "no first token within 0.5 s",
        "use a faster or smaller model",
        settings={"firstTokenTimeout": 0.5},
    ),
    Fault(
        "malformed event",
        (malformed(""),),
        1,
        "sent a stream event that is not JSON",
        "points at an OpenAI-compatible server",
    ),
    Fault("empty answer", (empty(),), 1, "empty answer", "try again or choose another model"),
    Fault(
        "no sections",
        (NO_SECTIONS, NO_SECTIONS),
        2,
        "section is missing",
        USE_OFFLINE,
        offers_offline=True,
    ),
    Fault(
        "context too long",
        (echoing(context_length_exceeded()),),
        1,
        "the prompt (≈9001 tokens) is longer than the context of model",
        "or use a larger model",
    ),
    Fault(
        "connection refused",
        (),
        0,
        "cannot connect to http://127.0.0.1:",
        "is the model server running?",
        settings={"baseUrl": f"http://127.0.0.1:{free_port()}/v1"},
    ),
    Fault(
        "total timeout",
        (Reply(content=GOOD_GUIDE, first_token_delay=10),),
        1,
        "no answer within 0.5 s",
        "raise howto.timeout",
        settings={"timeout": 0.5},
    ),
]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(default="unexpected request", api_key=SECRET) as server:
        yield server


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("models") / "proj"
    write_project(root)
    return root


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def editor(project: Path, fake: FakeOpenAI) -> AsyncIterator[Editor]:
    """One server for the whole module: faults write nothing, and writing tests reset the buffer.

    The happy path runs last: the guide it writes is cached for ``total``.
    """
    async with running_server(project, init_options=model_options(fake), env=key_env()) as ed:
        yield ed
    assert_no_secret(ed)  # stderr up to the server's exit
    assert any("guides from fake-model" in line for line in ed.stderr)  # stderr was captured


async def configure(editor: Editor, settings: dict[str, Any]) -> None:
    """Push ``howto`` settings and wait until the server took them."""
    before = len(editor.client.log_messages)
    editor.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"howto": settings})
    )
    await wait_for(
        lambda: any(
            "howto settings changed" in m.message for m in editor.client.log_messages[before:]
        ),
        5,
    )


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
async def test_a_faulty_model_changes_nothing_and_says_why(
    editor: Editor, fake: FakeOpenAI, project: Path, fault: Fault
) -> None:
    uri = cart(editor)
    client = editor.client
    messages, requests = len(client.messages), len(editor.requests_shown)
    asked, edits = len(fake.chat_requests), len(editor.edits)
    fake.enqueue(*fault.replies)
    if fault.settings:
        await configure(editor, fault.settings)
    if fault.wrong_key:
        fake.api_key = "sk-the-key-the-server-wants"
    try:
        result = await generate_total(editor, uri)
    finally:
        fake.api_key = SECRET
        if fault.settings:
            await configure(editor, {})

    assert result["applied"] is False
    assert len(editor.edits) == edits, "no workspace/applyEdit was even asked for"
    assert editor.text(uri) == CART_SOURCE
    assert (project / "shop" / "cart.py").read_text(encoding="utf-8") == CART_SOURCE
    assert len(fake.chat_requests) - asked == fault.requests
    new = [m.message for m in client.messages[messages:]]
    if fault.offers_offline:
        assert new == []
        (request,) = editor.requests_shown[requests:]  # dismissed by the editor
        assert [a.title for a in request.actions or []] == [USE_OFFLINE]
        said = request.message
    else:
        assert len(new) == 1, new
        assert editor.requests_shown[requests:] == []
        said = new[0]
        assert client.messages[-1].type == types.MessageType.Error
    assert said.startswith("howto-ls: ") and "\n" not in said
    assert fault.cause in said and fault.fix in said, said
    # The server is still there: listing actions works, and stderr has the cause too.
    line, col = line_of(CART_SOURCE, "def total")
    assert "Generate how-to doc" in [a.title for a in await code_actions(editor, uri, line, col)]
    await wait_for(lambda: any(fault.cause in text for text in editor.stderr), 5)
    assert_no_secret(editor)


# --- Guides that stay invalid, and the happy path (same server; the buffer is reset after) -------

NOT_IMPORTING = GOOD_GUIDE.replace("from shop import total\n\n", "")


def reset(editor: Editor, uri: str) -> None:
    """Put the buffer back to the file's text, as if the user undid the edit."""
    if editor.text(uri) != CART_SOURCE:
        editor.type(uri, CART_SOURCE)


def steps_since(editor: Editor, tokens: set[Any]) -> list[str]:
    """The progress messages of the one progress begun since ``tokens`` were known."""
    (token,) = set(editor.client.progress_reports) - tokens
    reports: list[Any] = editor.client.progress_reports[token]
    return [r.message or "" for r in reports if isinstance(r, types.WorkDoneProgressReport)]


async def test_a_guide_still_invalid_after_repair_offers_the_offline_guide(
    editor: Editor, fake: FakeOpenAI, project: Path
) -> None:
    uri = cart(editor)
    messages, shown = len(editor.client.messages), len(editor.requests_shown)
    asked = len(fake.chat_requests)
    fake.enqueue(INVENTED_GUIDE, INVENTED_GUIDE, NOT_IMPORTING, NOT_IMPORTING)
    edits = len(editor.edits)
    # Dismissed: nothing is written.
    result = await generate_total(editor, uri)
    assert result["applied"] is False and len(fake.chat_requests) == asked + 2
    assert any("fetch_tax_table" in problem for problem in result["problems"])
    (question,) = editor.requests_shown[shown:]
    assert question.type == types.MessageType.Warning
    assert [a.title for a in question.actions or []] == [USE_OFFLINE]
    assert "fetch_tax_table" in question.message and "nothing was written" in question.message
    assert len(question.message) < 600 and "\n" not in question.message
    assert len(editor.edits) == edits and editor.text(uri) == CART_SOURCE
    assert editor.client.messages[messages:] == []
    # Chosen: the offline guide is written into the docstring.
    editor.choose = lambda params: USE_OFFLINE
    try:
        result = await generate_total(editor, uri)
    finally:
        editor.choose = None
    assert result["applied"] is True and len(fake.chat_requests) == asked + 4
    second = editor.requests_shown[-1].message
    assert "import" in second and "fetch_tax_table" not in second
    text = editor.text(uri)
    docstring = text.split("def total", 1)[1].split('"""')[1]
    assert HEADING in docstring and "Execution Steps" in docstring
    assert "fetch_tax_table" not in text
    assert "from shop" in docstring  # the offline example imports the symbol
    assert (project / "shop" / "cart.py").read_text(encoding="utf-8") == CART_SOURCE  # unsaved
    assert_no_secret(editor)
    reset(editor, uri)


async def test_cancel_while_asking_writes_nothing_and_a_client_without_requests_is_told(
    editor: Editor, fake: FakeOpenAI
) -> None:
    uri = cart(editor)
    fake.enqueue(*[INVENTED_GUIDE] * 4)
    edits, tokens = len(editor.edits), set(editor.client.progress_reports)
    # The user cancels the progress while the question is still open.
    asked, answered = asyncio.Event(), asyncio.Event()

    async def late(params: types.ShowMessageRequestParams) -> str:
        asked.set()
        await answered.wait()
        return USE_OFFLINE

    editor.choose = late
    running = asyncio.ensure_future(generate_total(editor, uri))
    await asyncio.wait_for(asked.wait(), 20)
    assert "Waiting for a choice: use the offline guide?" in steps_since(editor, tokens)
    (token,) = set(editor.client.progress_reports) - tokens
    editor.client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    assert await asyncio.wait_for(running, 10) == {"applied": False, "cancelled": True}
    messages = len(editor.client.messages)
    answered.set()  # the answer comes too late and changes nothing
    await asyncio.sleep(0.2)
    line, col = line_of(CART_SOURCE, "def total")
    assert await code_actions(editor, uri, line, col)
    assert len(editor.edits) == edits and editor.text(uri) == CART_SOURCE
    end = editor.client.progress_reports[token][-1]
    assert isinstance(end, types.WorkDoneProgressEnd) and end.message == "Cancelled"

    # A client that cannot answer showMessageRequest gets the problems and the fix.
    def refuse(params: types.ShowMessageRequestParams) -> str:
        raise RuntimeError("no buttons here")

    editor.choose = refuse
    try:
        result = await generate_total(editor, uri)
    finally:
        editor.choose = None
    assert result["applied"] is False and len(editor.edits) == edits
    (shown,) = editor.client.messages[messages:]  # and nothing about the late answer
    assert shown.type == types.MessageType.Error and "fetch_tax_table" in shown.message
    assert 'Set howto.backend to "offline"' in shown.message
    assert editor.text(uri) == CART_SOURCE
    assert_no_secret(editor)


async def test_retries_show_in_the_progress(editor: Editor, fake: FakeOpenAI) -> None:
    uri = cart(editor)
    editor.type(uri, CART_SOURCE.replace("sum(prices)", "sum(prices, 0.0)"))  # not cached
    fake.enqueue(fast_retries(server_error(503)), GOOD_GUIDE.replace("sums", "adds up"))
    tokens, messages = set(editor.client.progress_reports), len(editor.client.messages)
    editor.reject = "kept read-only here"  # the guide is made, but this editor keeps the file
    try:
        result = await generate_total(editor, uri)
    finally:
        editor.reject = None
        reset(editor, uri)
    assert result["rejected"] == "kept read-only here"
    assert "Retrying in 0 s (1/3)" in steps_since(editor, tokens)
    (shown,) = editor.client.messages[messages:]
    assert "rejected the how-to edit" in shown.message
    assert_no_secret(editor)


async def test_the_stream_advances_in_the_progress_then_the_docstring_is_written(
    editor: Editor, fake: FakeOpenAI, project: Path
) -> None:
    uri = cart(editor)
    fake.enqueue(Reply(content=GOOD_GUIDE, token_delay=0.03, token_chars=16))
    asked, tokens = len(fake.chat_requests), set(editor.client.progress_reports)
    result = await generate_total(editor, uri)
    assert result["applied"] is True and len(fake.chat_requests) == asked + 1
    steps = steps_since(editor, tokens)
    writing = [step for step in steps if step.startswith("Writing")]
    assert len(writing) >= 4, steps
    assert "Writing Description" in writing and "Writing Usage Example" in writing
    assert any(step.startswith("Writing Execution Steps: step") for step in writing)
    order = [steps.index(s) for s in ("Writing Description", "Writing Usage Example")]
    assert order == sorted(order) and steps[-1] == "Inserting"
    text = editor.text(uri)
    docstring = text.split("def total", 1)[1].split('"""')[1]
    assert HEADING in docstring and "calling `tax_rate`" in docstring
    assert "Sum the prices and add the region's tax." in docstring
    assert text.startswith('"""Shopping cart arithmetic."""\n')  # the module docstring is kept
    assert text.count(HEADING) == 1
    assert fake.chat_requests[-1].headers["authorization"] == f"Bearer {SECRET}"
    assert_no_secret(editor)
    reset(editor, uri)


async def test_changed_settings_close_the_replaced_engines_connections(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    write_project(root)
    with FakeOpenAI(default=GOOD_GUIDE) as model:
        options = {"howto": {"backend": "openai", "baseUrl": model.url, "model": model.model}}
        async with running_server(root, init_options=options) as editor:
            uri = cart(editor)
            assert (await generate_total(editor, uri))["applied"] is True
            assert (model.connections, model.connections_closed) == (1, 0)  # kept alive
            await configure(editor, {**options["howto"], "model": "other-model"})
            await wait_for(lambda: model.connections_closed == 1, 5)
            reset(editor, uri)
            assert (await generate_total(editor, uri))["applied"] is True  # the new engine
            assert model.chat_requests[-1].body["model"] == "other-model"
            assert model.connections == 2


async def test_a_generation_in_flight_keeps_its_engine_across_a_settings_change(
    tmp_path: Path,
) -> None:
    root = tmp_path / "proj"
    write_project(root)
    with FakeOpenAI([Reply(GOOD_GUIDE, first_token_delay=1.0)]) as model:
        options = {"howto": {"backend": "openai", "baseUrl": model.url, "model": model.model}}
        async with running_server(root, init_options=options) as editor:
            uri = cart(editor)
            running = asyncio.ensure_future(generate_total(editor, uri))
            await wait_for(lambda: len(model.chat_requests) == 1, 10)
            await configure(editor, {**options["howto"], "model": "other-model"})
            assert (await running)["applied"] is True  # its stream was not closed under it
            assert HEADING in editor.text(uri)
            await wait_for(lambda: model.connections_closed == 1, 5)  # closed once it was done


async def test_user_information_in_the_base_url_is_used_but_never_shown(tmp_path: Path) -> None:
    """The start-up log, a connection error and a written guide: no user name, no password."""
    import base64

    root = tmp_path / "proj"
    write_project(root)
    closed = f"http://alice:S3cretPass@127.0.0.1:{free_port()}/v1"
    with FakeOpenAI(default=GOOD_GUIDE) as model:
        reachable = model.url.replace("http://", "http://alice:S3cretPass@")
        options = {"howto": {"backend": "openai", "baseUrl": closed, "model": model.model}}
        async with running_server(root, init_options=options) as editor:
            uri = cart(editor)
            failed = await generate_total(editor, uri)
            assert failed["applied"] is False
            assert "cannot connect to http://***@127.0.0.1:" in failed["error"]
            reset(editor, uri)
            await configure(editor, {**options["howto"], "baseUrl": reachable})
            assert (await generate_total(editor, uri))["applied"] is True
        said = everything_said(editor)
        assert any("http://***@127.0.0.1:" in text for text in said)
        assert [t for t in said if "alice" in t or "S3cretPass" in t] == []
        credentials = base64.b64encode(b"alice:S3cretPass").decode()
        assert model.chat_requests[-1].headers["authorization"] == f"Basic {credentials}"


async def test_a_prompt_file_outside_the_workspace_is_refused_and_the_shipped_one_used(
    tmp_path: Path,
) -> None:
    root = tmp_path / "proj"
    write_project(root)
    state = tmp_path / "proj-state"  # the server's HOME (see running_server)
    (state / ".ssh").mkdir(parents=True)
    decoy = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEDECOY\n"
    (state / ".ssh" / "id_ed25519").write_text(decoy, encoding="utf-8")
    with FakeOpenAI(default=GOOD_GUIDE) as model:
        options = {
            "howto": {
                "backend": "openai",
                "baseUrl": model.url,
                "model": model.model,
                "promptFile": "~/.ssh/id_ed25519",
            }
        }
        async with running_server(root, init_options=options) as editor:
            uri = cart(editor)
            assert (await generate_total(editor, uri))["applied"] is True
        (request,) = model.chat_requests
    assert "DECOY" not in str(request.body)
    assert request.messages[1]["content"].startswith("Write the guide for the Python function")
    shown = [m.message for m in editor.client.messages]
    refusal = [m for m in shown if "howto.promptFile" in m]
    assert refusal == [
        "howto.promptFile (HOWTO_PROMPT_FILE) ~/.ssh/id_ed25519 lies outside the workspace and"
        f" the config folder, so it is not read: move it under {root} or"
        f" {state / 'config' / 'howto-ls'}; using the shipped template"
    ]


@pytest.mark.parametrize(
    ("base_url", "line"),
    [
        (
            "bob:BobPw@127.0.0.1:9/v1",
            "howto.baseUrl must start with http:// or https://: got ***@127.0.0.1:9/v1",
        ),
        (
            "ftp://bob:BobPw@127.0.0.1:9/v1",
            "howto.baseUrl must start with http:// or https://: got ftp://***@127.0.0.1:9/v1",
        ),
        (
            "http://bob:BobPw@127.0.0.1:99999/v1",
            "howto.baseUrl has a port outside 1-65535: got http://***@127.0.0.1:99999/v1",
        ),
        (
            "http://bob:Bob/Pw@127.0.0.1:9/v1",
            "howto.baseUrl has '/', '?' or '#' in its user name or password: got"
            " http://***@127.0.0.1:9/v1; percent-encode them (%2F, %3F, %23)",
        ),
    ],
    ids=["no scheme", "ftp", "port", "slash in password"],
)
async def test_an_unusable_base_url_is_said_at_once_and_nothing_is_asked(
    tmp_path: Path, base_url: str, line: str
) -> None:
    root = tmp_path / "proj"
    write_project(root)
    options = {"howto": {"backend": "openai", "baseUrl": base_url, "model": "m", "timeout": 60}}
    async with running_server(root, init_options=options) as editor:
        uri = cart(editor)
        started = asyncio.get_running_loop().time()
        failed = await generate_total(editor, uri)
        elapsed = asyncio.get_running_loop().time() - started
    assert failed == {"applied": False, "error": line}
    assert elapsed < 10  # no connection or answer timeout waited out
    assert line in [m.message for m in editor.client.messages]  # the warning
    said = everything_said(editor)
    assert [t for t in said if "BobPw" in t or "Bob/Pw" in t or "Traceback" in t] == []
    assert any(f"guides from unavailable ({line})" in t for t in said)


async def test_an_excluded_prompt_file_is_refused_and_a_file_uri_one_is_used(
    tmp_path: Path,
) -> None:
    """``.env`` in the workspace is never sent; a ``file:`` URI naming an allowed file is read;
    one naming a refused file leaves the shipped template, and the model stays in use."""
    root = tmp_path / "proj"
    write_project(root)
    (root / ".env").write_text("DOTENV-SECRET {code}\n", encoding="utf-8")
    (root / "prompt.md").write_text("Mine: {code}\n", encoding="utf-8")
    (tmp_path / "outside.md").write_text("OUTSIDE {code}\n", encoding="utf-8")
    cases = [
        (".env", "Write the guide for the Python function", "is excluded by pattern '.env*'"),
        ((root / "prompt.md").as_uri(), "Mine: ", None),
        ((tmp_path / "outside.md").as_uri(), "Write the guide", "lies outside the workspace"),
    ]
    for prompt_file, starts, refusal in cases:
        with FakeOpenAI(default=GOOD_GUIDE) as model:
            options = {
                "howto": {
                    "backend": "openai",
                    "baseUrl": model.url,
                    "model": model.model,
                    "promptFile": prompt_file,
                }
            }
            async with running_server(root, init_options=options) as editor:
                uri = cart(editor)
                assert (await generate_total(editor, uri))["applied"] is True
            (request,) = model.chat_requests
        assert request.messages[1]["content"].startswith(starts)
        assert "DOTENV-SECRET" not in str(request.body) and "OUTSIDE" not in str(request.body)
        warnings = [m.message for m in editor.client.messages if "howto.promptFile" in m.message]
        if refusal is None:
            assert warnings == []
        else:
            assert len(warnings) == 1 and refusal in warnings[0]
            assert warnings[0].endswith("; using the shipped template")
        (root / "shop" / "cart.py").write_text(CART_SOURCE, encoding="utf-8")
