"""Running and ranking candidate examples in the real sandbox: the order, the budget, the
problems a repair round sends, and the setting that turns it on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from howto_ls import examples_run, sandbox, verification
from howto_ls.config import Settings
from howto_ls.demonstration import Demonstration, Target
from howto_ls.engine import Engine
from howto_ls.guide import render
from howto_ls.redact import forget_secrets, register_secret
from howto_ls.testing.fake_openai import FakeOpenAI
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
    keeps_files = sandbox.mechanism(sandbox.requested()) in sandbox.KEEPS_FILES
    assert (automatic is not None) == keeps_files


@pytest.mark.parametrize("isolation", ["unshare", "none"])
def test_auto_runs_nothing_where_the_sandbox_leaves_your_files_open(
    isolation: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    try:
        sandbox.mechanism(isolation)
    except sandbox.SandboxError as exc:
        pytest.skip(str(exc))
    monkeypatch.setenv(sandbox.SANDBOX_VARIABLE, isolation)
    monkeypatch.setattr(verification, "_said", set())
    with caplog.at_level("WARNING", logger="howto_ls.verification"):
        assert verifier_for(Settings(), tmp_path) is None
        assert verifier_for(Settings(), tmp_path) is None
        forced = verifier_for(Settings(verify_examples="on"), tmp_path)
    assert forced is not None and forced.isolation == isolation
    said = [r.getMessage() for r in caplog.records if "verifyExamples is auto" in r.getMessage()]
    assert len(said) == 1 and "\n" not in said[0]
    assert said[0].startswith("examples are not verified: verifyExamples is auto and ")
    assert said[0].endswith("set verifyExamples on (--verify-examples) to run them anyway")
    assert ("apt install bubblewrap" in said[0]) == sys.platform.startswith("linux")


def test_auto_runs_with_bubblewrap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        sandbox.mechanism(sandbox.BWRAP)
    except sandbox.SandboxError as exc:
        pytest.skip(str(exc))
    monkeypatch.setenv(sandbox.SANDBOX_VARIABLE, "auto")
    found = verifier_for(Settings(), tmp_path)
    assert found is not None and found.isolation == sandbox.BWRAP
    assert verification.auto_problem(sandbox.BWRAP) is None
    assert "read your files" in (verification.auto_problem(sandbox.SANDBOX_EXEC) or "")


MARKING = '''"""Marks."""

from pathlib import Path


def mark(name: str) -> str:
    """Leave a file called ``name`` next to this module and return its name."""
    Path(__file__).with_name(name).write_text("ran")
    return name
'''


def test_a_model_example_writes_nothing_where_only_unshare_is_there(tmp_path: Path) -> None:
    """The reported setup: no bubblewrap on PATH, unprivileged user namespaces available."""
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        pytest.skip("needs unshare (Linux)")
    try:
        sandbox.mechanism(sandbox.UNSHARE)
    except sandbox.SandboxError as exc:
        pytest.skip(str(exc))
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "__init__.py").write_text("")
    module = project / "pkg" / "marks.py"
    module.write_text(MARKING)
    engine = Engine(Settings(backend="offline"), project)
    symbol = engine.symbol_named(module, MARKING, "mark")
    answer = render(engine.offline_guide(symbol, MARKING))
    no_bwrap = tmp_path / "bin"  # unshare and true alone: no bwrap
    no_bwrap.mkdir()
    for tool in (unshare, shutil.which("true") or "/bin/true"):
        (no_bwrap / Path(tool).name).symlink_to(tool)
    env = {
        "PATH": str(no_bwrap),
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HOWTO_MODEL": "fake-model",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }

    def doc(*extra: str) -> subprocess.CompletedProcess[str]:
        with FakeOpenAI(default=answer) as fake:
            command = [sys.executable, "-m", "howto_ls", "doc", "pkg/marks.py::mark", *extra]
            return subprocess.run(
                command,
                cwd=project,
                env={**env, "HOWTO_BASE_URL": fake.url},
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )

    before = sorted(p.name for p in (project / "pkg").iterdir())
    automatic = doc("--no-cache")
    assert automatic.returncode == 0, automatic.stderr
    assert sorted(p.name for p in (project / "pkg").iterdir()) == before  # nothing ran
    said = [line for line in automatic.stderr.splitlines() if "verifyExamples is auto" in line]
    assert len(said) == 1 and "the unshare sandbox here lets an example read and write" in said[0]
    forced = doc("--no-cache", "--verify-examples")  # the control: it does run, and can write
    assert forced.returncode == 0, forced.stderr
    assert sorted(p.name for p in (project / "pkg").iterdir()) != before


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
