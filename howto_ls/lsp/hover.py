"""Hover: the docstring of the symbol under the cursor (summary, own text, guide), the guide marked
stale; or an offline preview."""

from __future__ import annotations

import logging
from pathlib import Path

from lsprotocol import types

from howto_ls.engine import ExistingGuide
from howto_ls.errors import HowtoError
from howto_ls.lsp.actions import identifier_at
from howto_ls.lsp.convert import guide_markdown, hover
from howto_ls.lsp.session import HowtoServer
from howto_ls.model import Position, Span, Symbol

logger = logging.getLogger("howto_ls.server")


async def hover_at(server: HowtoServer, params: types.HoverParams) -> types.Hover | None:
    """The hover for ``params``: an existing guide first; a preview if the setting asks."""
    opened = server.python_document(params.text_document.uri)
    if opened is None:
        return None
    document, path = opened
    mode = server.settings_for(path).hover
    if mode == "off":
        return None
    source = document.source
    converter = server.converter(source)
    position = converter.to_engine(params.position)
    line = converter.lines[position.line] if position.line < len(converter.lines) else ""
    word = identifier_at(line, position.column)
    if word is None:
        return None
    word_range = converter.range_to_client(
        _span(position.line, word.start, word.end),
    )
    guides = server.guides(params.text_document.uri, document, path)
    own = next((guide for guide in guides if guide.span.contains(position)), None)
    if own is not None:
        return hover(_shown(own), server.flags, stale=own.stale, range_=word_range)
    symbol = await _symbol(server, path, source, position, word.text)
    if symbol is None:
        return None
    found = _guide_of(server, symbol, source if symbol.path == path else None)
    if found is not None:
        return hover(_shown(found), server.flags, stale=found.stale, range_=word_range)
    if mode != "preview":
        return None
    module_source = source if symbol.path == path else server.current_text(symbol.path)[0]
    try:
        guide = await server.preview_engine_for(path).write_guide(symbol, module_source)
    except HowtoError as exc:
        logger.info("no preview for %s: %s", symbol.display_name, exc)
        return None
    return hover(guide_markdown(guide), server.flags, preview=True, range_=word_range)


async def _symbol(
    server: HowtoServer, path: Path, source: str, position: Position, name: str
) -> Symbol | None:
    """The symbol the word at ``position`` defines or names, or None."""
    engine = server.engine_for(path)
    quick = engine.quick_symbol(path, source, position)
    if quick is not None and quick.name == name and position < quick.body_range.start:
        return quick
    try:
        return await engine.symbol_at(path, source, position)
    except HowtoError:
        return None


def _guide_of(server: HowtoServer, symbol: Symbol, source: str | None) -> ExistingGuide | None:
    """The guide written for ``symbol`` (in its own file, open buffer first)."""
    if source is None:
        try:
            source = server.current_text(symbol.path)[0]
        except HowtoError:
            return None
    guides = server.engine_for(symbol.path).guides_in(symbol.path, source)
    return next((guide for guide in guides if guide.qualname == symbol.identity), None)


def _shown(guide: ExistingGuide) -> str:
    """What a hover shows of a written guide, in the docstring's order (as ``help()`` does):
    the summary line, the person's text, then the guide."""
    return f"{guide.intro}\n\n{guide.markdown}" if guide.intro else guide.markdown


def _span(line: int, start: int, end: int) -> Span:
    return Span(Position(line, start), Position(line, end))
