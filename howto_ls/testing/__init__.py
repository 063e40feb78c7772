"""Test helpers shipped with the package: a fake OpenAI-compatible server with faults on demand.

The names are loaded on first use, so ``python -m howto_ls.testing.fake_openai`` runs the fake
without importing it twice.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from howto_ls.testing.fake_openai import FakeOpenAI, RecordedRequest, Reply

__all__ = ["FakeOpenAI", "RecordedRequest", "Reply"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("howto_ls.testing.fake_openai"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
