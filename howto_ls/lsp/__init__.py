"""The language server's LSP side: everything between pygls handlers and the engine.

session       HowtoServer: settings, client flags, the engine, open documents
capabilities  the client's capabilities reduced once to ClientFlags
positions     UTF-8/16/32 code units <-> the engine's code-point columns
convert       engine results -> lsprotocol types (workspace edits, hovers, diagnostics)
actions       listing code actions (cheap: AST and cached guides only)
generate      the howto.generate command: progress, cancel, versioned edits
progress      work-done progress whose cancel cancels the asyncio task
hover         the guide under the cursor, or an offline preview
diagnostics   debounced stale-guide diagnostics
"""

from howto_ls.lsp.capabilities import ClientFlags
from howto_ls.lsp.generate import COMMAND, GenerateArgs
from howto_ls.lsp.positions import PositionConverter
from howto_ls.lsp.session import HowtoServer

__all__ = ["COMMAND", "ClientFlags", "GenerateArgs", "HowtoServer", "PositionConverter"]
