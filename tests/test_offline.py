"""The ``offline`` backend: the Backend protocol over the offline writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from howto_ls.backends.base import Backend
from howto_ls.backends.offline import OfflineBackend
from howto_ls.config import Settings
from howto_ls.engine import Engine
from howto_ls.guide import render
from howto_ls.model import GuideRequest
from howto_ls.verification import Verifier
from tests.test_writer import HTTP_CLIENT, guide_for
from tests.verify_project import FIRST_CALL, SECOND_CALL, write_calc


async def test_backend_protocol(tmp_path: Path) -> None:
    symbol, expected = guide_for(tmp_path, "parse_temperature")
    backend: Backend = OfflineBackend()
    seen: list[str] = []
    guide = await backend.generate(
        GuideRequest(symbol=symbol, module_source=HTTP_CLIENT), seen.append
    )
    assert guide == expected
    assert (backend.name, backend.model) == ("offline", "static-analysis")
    assert backend.describe() == "offline (static analysis)"
    assert seen
    assert render(guide).startswith("How to Use This Code Block\n" + "=" * 89)


async def test_verified_generation_keeps_the_candidate_that_demonstrates(tmp_path: Path) -> None:
    numbers = write_calc(tmp_path)
    engine = Engine(Settings(backend="offline"), tmp_path)
    source = numbers.read_text(encoding="utf-8")
    request = engine.request_for(engine.symbol_named(numbers, source, "parse_number"), source)
    verifier = Verifier(tmp_path)
    if verifier.problem() is not None:
        pytest.skip(f"examples cannot run here: {verifier.problem()}")
    seen: list[str] = []
    guide = await OfflineBackend().generate_verified(request, verifier, seen.append)
    assert SECOND_CALL in guide.example  # the first mined use raises a TypeError when run
    # two mined uses, the written example and three variants of it with other values
    assert seen == ["Analysing the code offline", "Running 6 candidate examples"]
    unverified = await OfflineBackend().generate(request)
    assert FIRST_CALL in unverified.example
    assert (guide.description, guide.steps) == (unverified.description, unverified.steps)


RING = '''\
class Ring:
    def __init__(self, slots):
        self.slots = slots

    def spread(self, weight):
        """Place the weight in every slot."""
        return [weight % self.slots for _ in range(self.slots)]
'''


async def test_a_variant_with_values_of_another_type_is_kept_when_the_written_one_fails(
    tmp_path: Path,
) -> None:
    (tmp_path / "calc").mkdir()
    (tmp_path / "calc" / "__init__.py").write_text("", "utf-8")
    ring = tmp_path / "calc" / "ring.py"
    ring.write_text(RING, "utf-8")
    engine = Engine(Settings(backend="offline"), tmp_path)
    request = engine.request_for(engine.symbol_named(ring, RING, "Ring.spread"), RING)
    verifier = Verifier(tmp_path)
    if verifier.problem() is not None:
        pytest.skip(f"examples cannot run here: {verifier.problem()}")
    written = await OfflineBackend().generate(request)
    # slots: what spread does with self.slots asks for a number; "example" % 1 raises a TypeError
    assert 'Ring(slots=1)\nresult = ring.spread(weight="example")' in written.example
    guide = await OfflineBackend().generate_verified(request, verifier)
    assert "ring = Ring(slots=1)\nresult = ring.spread(weight=1)\n" in guide.example


async def test_where_examples_cannot_run_the_written_guide_is_kept(tmp_path: Path) -> None:
    symbol, expected = guide_for(tmp_path, "save_report")
    seen: list[str] = []
    guide = await OfflineBackend().generate_verified(
        GuideRequest(symbol=symbol, module_source=HTTP_CLIENT),
        Verifier(tmp_path, python=str(tmp_path / "no-python")),
        seen.append,
    )
    assert guide == expected
    assert seen == ["Analysing the code offline", "Running 1 candidate example"]


async def test_a_lone_example_that_shows_a_function_is_followed_by_one_that_calls_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "calc").mkdir()
    source = "def scaler(factor):\n    return lambda x: x * factor\n"
    (tmp_path / "calc" / "__init__.py").write_text(source, "utf-8")
    engine = Engine(Settings(backend="offline"), tmp_path)
    path = tmp_path / "calc" / "__init__.py"
    request = engine.request_for(engine.symbol_named(path, source, "scaler"), source)
    verifier = Verifier(tmp_path)
    if verifier.problem() is not None:
        pytest.skip(f"examples cannot run here: {verifier.problem()}")
    written = await OfflineBackend().generate(request)
    assert written.example.endswith("print(result)\n")
    guide = await OfflineBackend().generate_verified(request, verifier)
    assert guide.example == written.example.replace("print(result)", "print(result(1))")
    assert guide.description == written.description and guide.steps == written.steps
