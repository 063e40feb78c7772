"""The ``offline`` backend: the Backend protocol over the offline writer."""

from __future__ import annotations

from pathlib import Path

from howto_ls.backends.base import Backend
from howto_ls.backends.offline import OfflineBackend
from howto_ls.guide import render
from howto_ls.model import GuideRequest
from tests.test_writer import HTTP_CLIENT, guide_for


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
