"""``howto-ls mcp``: serve guides to coding agents over MCP (stdio), when the SDK is installed."""

from __future__ import annotations

import argparse
from pathlib import Path

from howto_ls.cli import EXIT_OK, persisted_index
from howto_ls.config import Settings
from howto_ls.errors import UsageError

INSTALL_HINT = (
    "howto-ls mcp needs the MCP SDK, which is not installed; install it into howto-ls's"
    ' environment: from a clone, python3 -m pip install ".[mcp]", or from a wheel,'
    ' python3 -m pip install "howto_ls-VERSION-py3-none-any.whl[mcp]"'
)
SDK_MODULES = frozenset({"mcp", "mcp_types", "pydantic", "anyio"})


def run_mcp(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the workspace ``args.root`` (default the working folder) until the client closes
    stdin. Raises :class:`UsageError` when the ``mcp`` package is missing or the root is not a
    folder."""
    try:
        from howto_ls import mcp_server
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] in SDK_MODULES:
            raise UsageError(INSTALL_HINT) from None
        raise
    root = Path(args.root) if args.root is not None else Path.cwd()
    if not root.is_dir():
        raise UsageError(f"--root {root}: no such folder; name the workspace folder")
    with persisted_index(settings.cache == "on"):
        mcp_server.serve(root, settings)
    return EXIT_OK
