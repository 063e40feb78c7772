"""Checked guides over the fake server: validation, one repair round, the cache, and faults."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from howto_ls.backends.offline import OfflineBackend
from howto_ls.backends.openai import OpenAIBackend
from howto_ls.cache import GuideCache
from howto_ls.checked import cache_key, check_answer, known_identifiers, write_checked_guide
from howto_ls.config import Settings
from howto_ls.errors import (
    BackendAuthError,
    BackendContextError,
    BackendError,
    BackendNotFoundError,
    BackendRateLimitError,
    BackendResponseError,
    GuideValidationError,
)
from howto_ls.guide import parse_guide
from howto_ls.model import GuideRequest
from howto_ls.testing import fake_openai as fo
from howto_ls.testing.fake_openai import FakeOpenAI, Reply
from howto_ls.testing.samples import GOOD_GUIDE, INVENTED_GUIDE, QUOTES_GUIDE, total_request
from howto_ls.verification import Verifier

KEY = "sk-checked-SECRET-42"
FINGERPRINT = "abcdef012345"


@pytest.fixture
def request_(tmp_path: Path) -> GuideRequest:
    return total_request(tmp_path)


@pytest.fixture
def cache(tmp_path: Path) -> GuideCache:
    return GuideCache(tmp_path / "cache" / "guides.sqlite3")


def backend(url: str) -> OpenAIBackend:
    settings = Settings(base_url=url, model="fake-model", timeout=10.0)
    return OpenAIBackend(settings, KEY, retry_base_delay=0.01, progress_interval=0.0)


async def test_a_good_answer_is_returned_and_cached(
    request_: GuideRequest, cache: GuideCache
) -> None:
    with FakeOpenAI([GOOD_GUIDE]) as fake:
        b = backend(fake.url)
        guide = await write_checked_guide(b, request_, cache=cache, fingerprint=FINGERPRINT)
        assert guide == parse_guide(GOOD_GUIDE).guide
        progress: list[str] = []
        again = await write_checked_guide(
            b, request_, progress=progress.append, cache=cache, fingerprint=FINGERPRINT
        )
        assert len(fake.chat_requests) == 1  # the hit made no request
    assert again == guide
    assert progress == ["Using the cached guide"]
    assert cache.get(cache_key(b, request_, FINGERPRINT)) == guide


async def test_a_hit_needs_no_server_at_all(request_: GuideRequest, cache: GuideCache) -> None:
    with FakeOpenAI([GOOD_GUIDE]) as fake:
        url = fake.url
        await write_checked_guide(backend(url), request_, cache=cache, fingerprint=FINGERPRINT)
    guide = await write_checked_guide(backend(url), request_, cache=cache, fingerprint=FINGERPRINT)
    assert guide.steps[0] == "It adds up `prices` into `subtotal`."


async def test_other_fingerprint_or_language_misses(
    request_: GuideRequest, cache: GuideCache, tmp_path: Path
) -> None:
    with FakeOpenAI(default=GOOD_GUIDE) as fake:
        b = backend(fake.url)
        await write_checked_guide(b, request_, cache=cache, fingerprint=FINGERPRINT)
        await write_checked_guide(b, request_, cache=cache, fingerprint="changed-code")
        german = total_request(tmp_path / "de", language="German")
        await write_checked_guide(b, german, cache=cache, fingerprint=FINGERPRINT)
        await write_checked_guide(b, request_, cache=cache, fingerprint=None)
    assert len(fake.chat_requests) == 4


async def test_chatter_and_fences_pass_without_repair(request_: GuideRequest) -> None:
    with FakeOpenAI([fo.with_chatter(GOOD_GUIDE)]) as fake:
        guide = await write_checked_guide(backend(fake.url), request_)
    assert len(fake.chat_requests) == 1
    assert guide.description.startswith("The `total` function sums")


async def test_quotes_and_backslashes_survive(request_: GuideRequest) -> None:
    with FakeOpenAI([QUOTES_GUIDE]) as fake:
        guide = await write_checked_guide(backend(fake.url), request_)
    assert 'note = """C:\\\\shop\\\\prices.txt"""' in guide.example


async def test_one_repair_round_sends_the_answer_and_its_problems(
    request_: GuideRequest, cache: GuideCache
) -> None:
    progress: list[str] = []
    with FakeOpenAI([INVENTED_GUIDE, GOOD_GUIDE]) as fake:
        guide = await write_checked_guide(
            backend(fake.url),
            request_,
            progress=progress.append,
            cache=cache,
            fingerprint=FINGERPRINT,
        )
    assert guide == parse_guide(GOOD_GUIDE).guide
    first, second = fake.chat_requests
    assert [m["role"] for m in first.messages] == ["system", "user"]
    assert [m["role"] for m in second.messages] == ["system", "user", "assistant", "user"]
    assert second.messages[2]["content"] == INVENTED_GUIDE
    assert "`fetch_tax_table`" in second.messages[3]["content"]
    assert "Fixing 1 problem in the guide" in progress


async def test_still_failing_raises_with_the_problems_and_caches_nothing(
    request_: GuideRequest, cache: GuideCache
) -> None:
    with FakeOpenAI([fo.NO_SECTIONS, INVENTED_GUIDE]) as fake:
        b = backend(fake.url)
        with pytest.raises(GuideValidationError) as caught:
            await write_checked_guide(b, request_, cache=cache, fingerprint=FINGERPRINT)
    assert len(fake.chat_requests) == 2
    repair = fake.chat_requests[1].messages[3]["content"]
    assert "Description section is missing" in repair
    assert "Usage Example section is missing" in repair
    error = caught.value
    assert error.problems == [
        "Step 2 names `fetch_tax_table`, which is not in the code; "
        "name only calls, attributes and parameters the code has"
    ]
    message = str(error)
    assert message.startswith("the guide from fake-model at 127.0.0.1:")
    assert "still has 1 problem after a repair round" in message
    assert "after a repair round (1) Step 2 names `fetch_tax_table`" in message
    assert '--backend offline on the command line, or the editor\'s "Use offline guide"' in message
    assert "\n" not in message
    assert cache.get(cache_key(b, request_, FINGERPRINT)) is None


async def test_a_huge_answer_is_refused_without_a_repair(request_: GuideRequest) -> None:
    with FakeOpenAI([Reply(fo.huge(), token_chars=1024), GOOD_GUIDE]) as fake:
        with pytest.raises(BackendResponseError, match="passed 200,000 characters"):
            await write_checked_guide(backend(fake.url), request_)
        assert len(fake.chat_requests) == 1


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (fo.unauthorized(), BackendAuthError),
        (fo.not_found(), BackendNotFoundError),
        (fo.rate_limited("0"), BackendRateLimitError),
        (fo.server_error(), BackendResponseError),
        (fo.context_length_exceeded(), BackendContextError),
        (fo.empty(), BackendResponseError),
        (fo.malformed(GOOD_GUIDE), BackendResponseError),
        (fo.dropped(GOOD_GUIDE, after=2), BackendResponseError),
    ],
)
async def test_backend_faults_pass_through_and_cache_nothing(
    request_: GuideRequest,
    cache: GuideCache,
    caplog: pytest.LogCaptureFixture,
    reply: Reply,
    error: type[BackendError],
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeOpenAI(default=reply) as fake:
        b = backend(fake.url)
        with pytest.raises(error) as caught:
            await write_checked_guide(b, request_, cache=cache, fingerprint=FINGERPRINT)
    assert cache.get(cache_key(b, request_, FINGERPRINT)) is None
    for text in (str(caught.value), repr(caught.value), caplog.text):
        assert KEY not in text


async def test_a_backend_without_raw_answers_is_called_as_it_is(
    request_: GuideRequest, cache: GuideCache
) -> None:
    offline = OfflineBackend()
    guide = await write_checked_guide(offline, request_, cache=cache, fingerprint=FINGERPRINT)
    assert guide.example.strip()
    assert len(cache) == 0


def test_known_identifiers_come_from_code_module_and_context(request_: GuideRequest) -> None:
    known = known_identifiers(request_)
    assert all(
        name in known for name in ("total", "prices", "subtotal", "round", "tax_rate", "region")
    )
    assert "shop" in known  # the module's name
    assert "fetch_tax_table" not in known


def test_check_answer_reports_a_wrong_import(request_: GuideRequest) -> None:
    wrong = GOOD_GUIDE.replace("from shop import total", "from shopping import total")
    _, problems = check_answer(wrong, request_)
    assert problems == [
        "Usage Example does not import `total` from `shop` or `shop.cart`; "
        "add `from shop import total`"
    ]
    defining = GOOD_GUIDE.replace("from shop import total", "from shop.cart import total")
    assert check_answer(defining, request_)[1] == []


# --- the answer check on objects reached through the API, abstract classes, decorators ---


def _package_answer(code: str, name: str) -> str:
    from howto_ls.guide import Guide, render

    return render(Guide(f"The `{name}` code runs.", (f"Runs `{name}`.",), code))


def _package_request(tmp_path: Path, module: str, qualname: str) -> GuideRequest:
    from tests.prompt_package import package_symbol

    symbol, source = package_symbol(tmp_path, module, qualname)
    return GuideRequest(symbol=symbol, module_source=source)


def test_an_object_reached_through_the_api_needs_no_import_of_its_class(tmp_path: Path) -> None:
    request = _package_request(tmp_path, "_hooks", "HookCaller.call_historic")
    code = (
        "from retrier import PluginManager\n\n"
        'pm = PluginManager("demo")\n'
        'pm.hook.configure.call_historic(kwargs={"value": 1})\n'
        "print(pm.plugins)\n"
    )
    problems = check_answer(_package_answer(code, "call_historic"), request)[1]
    assert not any("does not import" in p for p in problems), problems
    unrelated = 'import json\n\nprint(json.call_historic({"value": 1}))\n'
    problems = check_answer(_package_answer(unrelated, "call_historic"), request)[1]
    assert any("does not import `HookCaller`" in p for p in problems)


def test_building_an_abstract_class_goes_to_repair_naming_concrete_ones(tmp_path: Path) -> None:
    request = _package_request(tmp_path, "_core", "BaseRetrying.statistics")
    code = "from retrier import BaseRetrying\n\nprint(BaseRetrying(attempts=2).statistics())\n"
    problems = check_answer(_package_answer(code, "statistics"), request)[1]
    (problem,) = [p for p in problems if "abstract" in p]
    assert "`BaseRetrying` is abstract (abstract methods: `__call__`)" in problem
    assert "`Retrying` (`from retrier import Retrying`)" in problem
    concrete = "from retrier import Retrying\n\nprint(Retrying(attempts=2).statistics())\n"
    assert check_answer(_package_answer(concrete, "statistics"), request)[1] == []


def test_a_decorator_printed_without_decorating_goes_to_repair(tmp_path: Path) -> None:
    request = _package_request(tmp_path, "_core", "retry")
    bare = "from retrier import retry\n\nprint(retry(attempts=2))\n"
    problems = check_answer(_package_answer(bare, "retry"), request)[1]
    assert any("never applies the decorator `retry`" in p for p in problems)
    applied = (
        "from retrier import retry\n\n\n@retry(attempts=2)\ndef double(x):\n"
        "    return x * 2\n\n\nprint(double(21))\n"
    )
    assert check_answer(_package_answer(applied, "retry"), request)[1] == []


def test_calling_dunder_call_by_name_goes_to_repair(tmp_path: Path) -> None:
    request = _package_request(tmp_path, "_core", "Retrying.__call__")
    by_name = "from retrier import Retrying\n\nprint(Retrying().__call__(len, 'ab'))\n"
    problems = check_answer(_package_answer(by_name, "__call__"), request)[1]
    assert any("calls `__call__` by name" in p for p in problems)
    called = "from retrier import Retrying\n\nprint(Retrying()(len, 'ab'))\n"
    assert check_answer(_package_answer(called, "__call__"), request)[1] == []


# -- examples run in the sandbox (verifyExamples) ------------------------------------------------

GOOD_EXAMPLE = 'print(total([9.99, 5.01], region="US"))'
FAILING_GUIDE = GOOD_GUIDE.replace(GOOD_EXAMPLE, "print(total(None))")
QUIET_GUIDE = GOOD_GUIDE.replace(GOOD_EXAMPLE, 'total([9.99], region="US")\nprint(None)')


def _verifier(request: GuideRequest) -> Verifier:
    root = request.symbol.path.parent.parent
    found = Verifier(root)
    if found.problem() is not None:
        pytest.skip(f"examples cannot run here: {found.problem()}")
    return found


async def test_a_failing_example_is_repaired_from_its_run(
    request_: GuideRequest, cache: GuideCache
) -> None:
    progress: list[str] = []
    with FakeOpenAI([FAILING_GUIDE, GOOD_GUIDE]) as fake:
        b = backend(fake.url)
        guide = await write_checked_guide(
            b,
            request_,
            progress=progress.append,
            cache=cache,
            fingerprint=FINGERPRINT,
            verifier=_verifier(request_),
        )
    assert guide == parse_guide(GOOD_GUIDE).guide
    _, second = fake.chat_requests
    assert second.messages[2]["content"] == FAILING_GUIDE
    repair = second.messages[3]["content"]
    assert "the Usage Example fails when it is run" in repair
    assert "TypeError: 'NoneType' object is not iterable" in repair  # the error's last line
    assert 'File "example.py", line 3, in <module>' in repair
    assert progress.count("Running the example") == 2
    assert "Fixing the example" in progress
    assert cache.get(cache_key(b, request_, FINGERPRINT, verified=True)) == guide
    assert cache.get(cache_key(b, request_, FINGERPRINT)) is None


async def test_an_example_that_prints_none_goes_to_repair(request_: GuideRequest) -> None:
    with FakeOpenAI([QUIET_GUIDE, GOOD_GUIDE]) as fake:
        guide = await write_checked_guide(backend(fake.url), request_, verifier=_verifier(request_))
    assert guide == parse_guide(GOOD_GUIDE).guide
    repair = fake.chat_requests[1].messages[3]["content"]
    assert "does not show what `total` does: it printed None" in repair


async def test_a_demonstrating_example_needs_no_repair(request_: GuideRequest) -> None:
    with FakeOpenAI([GOOD_GUIDE]) as fake:
        await write_checked_guide(backend(fake.url), request_, verifier=_verifier(request_))
    assert len(fake.chat_requests) == 1


async def test_a_worse_repair_keeps_the_first_guide(request_: GuideRequest) -> None:
    with FakeOpenAI([QUIET_GUIDE, FAILING_GUIDE]) as fake:
        guide = await write_checked_guide(backend(fake.url), request_, verifier=_verifier(request_))
    assert len(fake.chat_requests) == 2
    assert guide == parse_guide(QUIET_GUIDE).guide  # it runs; the repair raises


async def test_without_verification_a_failing_example_gets_no_repair(
    request_: GuideRequest,
) -> None:
    with FakeOpenAI([FAILING_GUIDE, GOOD_GUIDE]) as fake:
        guide = await write_checked_guide(backend(fake.url), request_)
    assert len(fake.chat_requests) == 1
    assert guide == parse_guide(FAILING_GUIDE).guide


async def test_an_example_that_still_fails_is_refused_and_not_cached(
    request_: GuideRequest, cache: GuideCache
) -> None:
    with FakeOpenAI([FAILING_GUIDE, FAILING_GUIDE]) as fake:
        b = backend(fake.url)
        with pytest.raises(GuideValidationError) as caught:
            await write_checked_guide(
                b, request_, cache=cache, fingerprint=FINGERPRINT, verifier=_verifier(request_)
            )
    assert len(fake.chat_requests) == 2
    message = str(caught.value)
    assert "its Usage Example fails when run (TypeError: 'NoneType' object is not iterable)" in (
        message
    )
    assert "also after a repair round" in message
    assert '"Use offline guide"' in message and "set verifyExamples off" in message
    assert "\n" not in message
    assert "TypeError" in caught.value.problems[0]
    assert len(cache) == 0


SLEEPING_GUIDE = GOOD_GUIDE.replace(GOOD_EXAMPLE, f"import time\n\ntime.sleep(60)\n{GOOD_EXAMPLE}")
FLOODING_GUIDE = GOOD_GUIDE.replace(GOOD_EXAMPLE, f'{GOOD_EXAMPLE}\nprint("Y" * (40 << 20))')
GREEDY_GUIDE = GOOD_GUIDE.replace(GOOD_EXAMPLE, f"{GOOD_EXAMPLE}\nblock = bytearray(8 << 30)")


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (SLEEPING_GUIDE, "does not finish in time when run (did not finish within 3 s)"),
        (FLOODING_GUIDE, "hits a limit when run (output limit: more than 16 MiB of output"),
        (GREEDY_GUIDE, "hits a limit when run (memory limit: more than 1 GiB"),
    ],
    ids=["timeout", "output", "memory"],
)
async def test_an_example_that_still_does_not_finish_is_refused_like_one_that_fails(
    request_: GuideRequest, cache: GuideCache, answer: str, said: str
) -> None:
    verifier = _verifier(request_)
    verifier.run_timeout = 3.0
    with FakeOpenAI([answer, answer]) as fake:
        b = backend(fake.url)
        with pytest.raises(GuideValidationError) as caught:
            await write_checked_guide(
                b, request_, cache=cache, fingerprint=FINGERPRINT, verifier=verifier
            )
        repair = fake.chat_requests[1].messages[3]["content"]
    assert "make it finish quickly with small inputs and little output" in repair
    assert "Y" * 1000 not in repair
    message = str(caught.value)
    assert f"is not written: its Usage Example {said}" in message
    assert "also after a repair round" in message
    assert '"Use offline guide"' in message and "set verifyExamples off" in message
    assert "\n" not in message and len(message) < 1000
    assert len(cache) == 0


async def test_a_repair_that_needs_an_optional_dependency_is_kept_over_one_that_hangs(
    request_: GuideRequest,
) -> None:
    verifier = _verifier(request_)
    verifier.run_timeout = 3.0
    optional = GOOD_GUIDE.replace(
        GOOD_EXAMPLE,
        f"import importlib\n\nimportlib.import_module('not_installed_here')\n{GOOD_EXAMPLE}",
    )
    with FakeOpenAI([SLEEPING_GUIDE, optional]) as fake:
        guide = await write_checked_guide(backend(fake.url), request_, verifier=verifier)
    assert guide == parse_guide(optional).guide  # it may be right where that is installed


async def test_a_guide_cached_unverified_is_not_served_as_verified(
    request_: GuideRequest, cache: GuideCache
) -> None:
    with FakeOpenAI(default=GOOD_GUIDE) as fake:
        b = backend(fake.url)
        await write_checked_guide(b, request_, cache=cache, fingerprint=FINGERPRINT)
        verifier = _verifier(request_)
        await write_checked_guide(
            b, request_, cache=cache, fingerprint=FINGERPRINT, verifier=verifier
        )
        assert len(fake.chat_requests) == 2  # the unverified guide was not reused
        await write_checked_guide(b, request_, cache=cache, fingerprint="other-code")
        await write_checked_guide(
            b, request_, cache=cache, fingerprint="other-code", verifier=verifier
        )
        assert len(fake.chat_requests) == 4
        cache.clear()
        await write_checked_guide(
            b, request_, cache=cache, fingerprint=FINGERPRINT, verifier=verifier
        )
        progress: list[str] = []
        await write_checked_guide(
            b, request_, progress=progress.append, cache=cache, fingerprint=FINGERPRINT
        )
    assert len(fake.chat_requests) == 5  # a verified guide serves an unverified request
    assert progress == ["Using the cached guide"]
    assert cache_key(b, request_, FINGERPRINT) != cache_key(b, request_, FINGERPRINT, verified=True)
