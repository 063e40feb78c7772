"""The ``howto.clearCache`` command: forget every cached model guide and say how many."""

from __future__ import annotations

import asyncio
from typing import Any

from lsprotocol import types

from howto_ls.lsp.session import HowtoServer

CLEAR_CACHE = "howto.clearCache"


async def clear_cache(ls: HowtoServer) -> dict[str, Any]:
    """Delete the guide cache's entries (off the event loop); ``{"removed": N}``, also shown
    with ``window/showMessage``. The next request for any symbol asks the model again."""
    cache = ls.guide_cache
    removed = await asyncio.to_thread(cache.clear)
    noun = "guide" if removed == 1 else "guides"
    ls.show(f"howto-ls: removed {removed} cached {noun} from {cache.path}", types.MessageType.Info)
    return {"removed": removed}
