"""Running and ranking candidate examples in the real sandbox: the order, the budget, the
problems a repair round sends, and the setting that turns it on."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from howto_ls import examples_run, sandbox, verification
from howto_ls.config import Settings
from howto_ls.demonstration import Demonstration, Target
from howto_ls.redact import forget_secrets, register_secret
from howto_ls.testing.samples import total_request
from howto_ls.verification import Verdict, Verifier, best_of, refusal, run_problem, verifier_for

DEMONSTRATES = "from shop import total\n\nprint(total([9.99, 5.01], region='US'))\n"
RUNS_ONLY = "from shop import total\n\nprint(total)\n"
FAILS = "from shop import total\n\nprint(total(None))\n"
PRINTS_NONE = "from shop import total\n\ntotal([1.0], region='US')\nprint(None)\n"
SLEEPS = "import time\n\ntime.sleep(30)\n"


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Target]:
    request = total_request(tmp_path)
    return tmp_path, Target.of(request.symbol)


def verifier(root: Path, run_timeout: float = 10.0, budget: float = 20.0) -> Verifier:
    found = Verifier(root, run_timeout=run_timeout, budget=budget)
    if found.problem() is not None:
        pytest.skip(f"examples cannot run here: {found.problem()}")
    return found


def _shown(status: str, demonstrates: bool, body: int) -> Demonstration:
    run = examples_run.ExampleRun(status)
    reason = "" if demonstrates else "printed None"
    return Demonstration(run, True, body, 5, "result", False, demonstrates, reason)


def test_ranking_prefers_demonstrates_then_runs_then_body_lines_then_order() -> None:
    fails = Verdict(0, "a", _shown(examples_run.FAILS, False, 4))
    runs = Verdict(1, "b", _shown(examples_run.OK, False, 1))
    shows_little = Verdict(2, "c", _shown(examples_run.OK, True, 1))
    shows_more = Verdict(3, "d", _shown(examples_run.OK, True, 3))
    also_more = Verdict(4, "e", _shown(examples_run.OK, True, 3))
    not_run = Verdict(5, "f", None)
    assert best_of([fails, runs]) is runs
    assert best_of([fails, runs, shows_little]) is shows_little
    assert best_of([shows_little, shows_more, also_more, not_run]) is shows_more
    assert best_of([not_run, fails]) is fails  # the same tier: the earlier candidate
    assert [v.tier for v in (fails, runs, shows_more, not_run)] == [0, 1, 2, 0]


def test_real_runs_rank_the_demonstrating_example_first(project: tuple[Path, Target]) -> None:
    root, target = project
    ranking = verifier(root).rank([FAILS, RUNS_ONLY, DEMONSTRATES], target)
    assert ranking is not None
    failed, ran, shown = ranking.verdicts
    assert failed.tier == verification.FAILS
    assert ran.tier == verification.RUNS
    assert shown.tier == verification.DEMONSTRATES
    assert ranking.best is shown


def test_enough_stops_at_the_first_that_demonstrates(project: tuple[Path, Target]) -> None:
    root, target = project
    ranking = verifier(root).rank([DEMONSTRATES, FAILS], target, enough=verification.DEMONSTRATES)
    assert ranking is not None
    assert ranking.verdicts[1].demonstration is None  # never run
    assert ranking.best.index == 0


def test_the_time_budget_stops_a_sleeping_example_and_runs_nothing_after(
    project: tuple[Path, Target],
) -> None:
    root, target = project
    started = time.monotonic()
    ranking = verifier(root, run_timeout=10.0, budget=2.0).rank([SLEEPS, DEMONSTRATES], target)
    elapsed = time.monotonic() - started
    assert ranking is not None
    slept, skipped = ranking.verdicts
    assert slept.demonstration is not None
    assert slept.demonstration.run.status == examples_run.TIMEOUT
    assert skipped.demonstration is None
    assert skipped.describe() == "not run (no time left for it)"
    assert elapsed < 2.0 + sandbox.GRACE + 2.0


def test_a_cancelled_ranking_runs_nothing(project: tuple[Path, Target]) -> None:
    root, target = project
    cancel = threading.Event()
    cancel.set()
    ranking = verifier(root).rank([DEMONSTRATES], target, cancel=cancel)
    assert ranking is not None
    assert ranking.verdicts[0].demonstration is None


def test_a_failing_run_becomes_a_problem_quoting_its_error_redacted(
    project: tuple[Path, Target],
) -> None:
    root, target = project
    secret = "sk-verify-SECRET-1234"
    code = FAILS.replace("print(total(None))", f"total(None)  # {secret}")
    register_secret(secret)
    try:
        ranking = verifier(root).rank([code], target)
        assert ranking is not None
        problem = run_problem(ranking.verdicts[0], "total")
    finally:
        forget_secrets()
    assert problem is not None
    assert "TypeError: 'NoneType' object is not iterable" in problem
    assert 'File "example.py", line 3' in problem  # not the temporary folder's path
    assert "<frozen runpy>" not in problem
    assert secret not in problem and "***" in problem
    assert refusal(ranking.verdicts[0]) is not None


def test_what_a_run_printed_goes_back_bounded_to_its_last_lines_and_redacted(
    project: tuple[Path, Target],
) -> None:
    root, target = project
    secret = "sk-verify-SECRET-5678"
    code = (
        "import sys\n\n"
        "for number in range(200):\n"
        "    print(f'line {number} ' + 'Y' * 500, file=sys.stderr)\n"
        f"raise ValueError('{secret} ' + 'Z' * 5000)\n"
    )
    register_secret(secret)
    try:
        ranking = verifier(root).rank([code], target)
        assert ranking is not None
        verdict = ranking.verdicts[0]
        problem = run_problem(verdict, "total")
        refused = refusal(verdict)
    finally:
        forget_secrets()
    assert problem is not None and refused is not None
    assert "line 199 YYY" in problem and "line 150 " not in problem  # the last lines only
    assert len(problem) < (verification.ERROR_LINES + 2) * verification.LINE_CHARS
    assert "Y" * verification.LINE_CHARS not in problem
    assert "ValueError: ***" in problem and secret not in problem + refused
    assert len(refused) < verification.LINE_CHARS + 100


@pytest.mark.parametrize(
    ("status", "detail", "said"),
    [
        (examples_run.TIMEOUT, "did not finish within 10 s", "does not finish in time"),
        (examples_run.HIT_LIMIT, "output limit: more than 16 MiB of output", "hits a limit"),
    ],
)
def test_an_example_that_does_not_finish_is_repaired_then_refused(
    status: str, detail: str, said: str
) -> None:
    run = examples_run.ExampleRun(status, detail)
    verdict = Verdict(0, "a", Demonstration(run, True, 0, 5, "", False, False, status))
    assert run_problem(verdict, "total") == (
        f"the Usage Example {said} when it is run ({detail}): make it finish quickly with "
        "small inputs and little output"
    )
    assert refusal(verdict) == f"its Usage Example {said} when run ({detail})"


def test_a_run_that_prints_none_is_a_problem_and_one_that_demonstrates_is_not(
    project: tuple[Path, Target],
) -> None:
    root, target = project
    ranking = verifier(root).rank([PRINTS_NONE, DEMONSTRATES], target)
    assert ranking is not None
    quiet, shown = ranking.verdicts
    problem = run_problem(quiet, "total")
    assert problem is not None and "does not show what `total` does: it printed None" in problem
    assert refusal(quiet) is None  # it runs: kept if nothing better comes
    assert run_problem(shown, "total") is None


def test_examples_needing_the_network_are_neither_repaired_nor_refused(
    project: tuple[Path, Target],
) -> None:
    root, target = project
    code = "import socket\n\nsocket.create_connection(('192.0.2.1', 80), timeout=1)\n"
    ranking = verifier(root).rank([code], target)
    assert ranking is not None
    verdict = ranking.verdicts[0]
    assert verdict.demonstration is not None
    assert verdict.demonstration.run.status == examples_run.NEEDS_NETWORK
    assert run_problem(verdict, "total") is None
    assert refusal(verdict) is None


def test_the_setting_chooses_whether_examples_run(tmp_path: Path) -> None:
    assert verifier_for(Settings(verify_examples="off"), tmp_path) is None
    on = verifier_for(Settings(verify_examples="on"), tmp_path)
    assert on is not None and on.root == tmp_path
    automatic = verifier_for(Settings(), tmp_path)
    works = sandbox.mechanism(sandbox.requested()) != sandbox.NONE
    assert (automatic is not None) == works


def test_an_interpreter_that_cannot_run_examples_turns_verification_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, project: tuple[Path, Target]
) -> None:
    _, target = project
    broken = Verifier(tmp_path, python=str(tmp_path / "no-python"))
    with caplog.at_level("WARNING", logger="howto_ls.verification"):
        assert broken.rank([DEMONSTRATES], target) is None
        assert broken.rank([DEMONSTRATES], target) is None
    said = [r.getMessage() for r in caplog.records if "not verified" in r.getMessage()]
    assert len(said) == 1 and "no-python does not exist" in said[0]
