"""Listing code actions: cheap (AST and cached guides only), never a model or jedi call."""

from __future__ import annotations

import ast
import functools
import keyword
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types

from howto_ls import astutil
from howto_ls.identifiers import normalize
from howto_ls.lsp.convert import SOURCE, STALE_CODE
from howto_ls.lsp.generate import COMMAND, GenerateArgs
from howto_ls.lsp.session import HowtoServer
from howto_ls.lsp.uris import is_notebook_cell
from howto_ls.model import Position, Symbol

KIND = types.CodeActionKind.RefactorRewrite
GENERATE = "Generate how-to doc"
GENERATE_SIDECAR = "Generate how-to doc in sidecar .md"
REGENERATE = "Regenerate how-to doc"
_IDENTIFIER = re.compile(r"\w+")
_NOT_REFERENCES = frozenset({"self", "cls", "True", "False", "None", "_"})


@dataclass(frozen=True)
class Word:
    """An identifier in a line and its code-point columns."""

    text: str
    start: int
    end: int


def identifier_at(line: str, column: int) -> Word | None:
    """The identifier touching ``column`` of ``line`` (keywords and numbers excluded).

    Its text is the name as Python reads it (NFKC, PEP 3131: ``ｒｕｎ`` is ``run``); its columns
    are those of ``line``.
    """
    for match in _IDENTIFIER.finditer(line):
        if match.start() <= column <= match.end():
            text = normalize(match.group())
            if text[0].isdigit() or keyword.iskeyword(text):
                return None
            return Word(text, match.start(), match.end())
        if match.start() > column:
            break
    return None


@functools.lru_cache(maxsize=64)
def local_names(source: str) -> frozenset[str]:
    """Names a function binds itself (parameters, assignment and loop targets), not imports."""
    try:
        tree = astutil.parse(textwrap.dedent(source))
    except (SyntaxError, ValueError):
        return frozenset()
    function = tree.body[0] if tree.body else None
    if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        return frozenset()
    arguments = function.args
    names = {
        arg.arg
        for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        + [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    }
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.arg) or (isinstance(node, ast.ExceptHandler) and node.name):
            names.add(node.arg if isinstance(node, ast.arg) else str(node.name))
    return frozenset(names)


def reference_at(symbol: Symbol, line: str, position: Position) -> Word | None:
    """The name under the cursor when it is a reference inside ``symbol``, not its own name.

    Names the function binds itself (parameters, locals) are not references to documentable
    symbols; deciding what the rest name is left to jedi when the command runs.
    """
    word = identifier_at(line, position.column)
    if word is None or word.text in _NOT_REFERENCES or word.text in local_names(symbol.source):
        return None
    inside_body = symbol.body_range.start <= position <= symbol.body_range.end
    docstring = symbol.docstring_range
    if not inside_body or (docstring is not None and docstring.contains(position)):
        return None
    return word


def code_actions(
    server: HowtoServer, params: types.CodeActionParams
) -> list[types.CodeAction | types.Command]:
    """The how-to actions at ``params.range.start`` and quick fixes for stale-guide hints."""
    uri = params.text_document.uri
    if is_notebook_cell(uri):
        return _shaped(server, _in_notebook(server, uri, params))
    opened = server.python_document(uri)
    if opened is None:
        return []
    document, path = opened
    targets = ["docstring"] if server.is_unsaved_path(path) else ["docstring", "sidecar"]
    only = params.context.only
    actions: list[types.CodeAction] = []
    if _wanted(only, types.CodeActionKind.QuickFix):
        actions.extend(_quick_fixes(uri, params.context.diagnostics))
    if not _wanted(only, KIND):
        return _shaped(server, actions)
    source = document.source
    converter = server.converter(source)
    position = converter.to_engine(params.range.start)
    symbol = server.engine_for(path).quick_symbol(path, source, position)
    client_position = params.range.start
    line = converter.lines[position.line] if position.line < len(converter.lines) else ""
    if symbol is None:
        word = identifier_at(line, position.column)  # a module-level statement
        if word is not None and word.text in _NOT_REFERENCES:
            word = None
    else:
        word = reference_at(symbol, line, position)
    if word is not None:
        for target, title in (("docstring", GENERATE), ("sidecar", GENERATE_SIDECAR)):
            if target not in targets:
                continue
            args = GenerateArgs(uri, client_position.line, client_position.character, target)
            actions.append(_action(f"{title} for {word.text}", KIND, args))
    if symbol is None:
        return _shaped(server, actions)
    entry = server.inventory(uri, document, path).entry(symbol.identity)
    existing = entry.where if entry is not None else None
    name = symbol.display_name
    here = (client_position.line, client_position.character)

    def for_symbol(title: str, target: str) -> types.CodeAction:
        args = GenerateArgs(uri, *here, target=target, qualname=symbol.identity)
        return _action(title if word is None else f"{title} for {name}", KIND, args)

    if existing is not None:
        actions.append(for_symbol(REGENERATE, existing))
    if existing != "docstring":
        actions.append(for_symbol(GENERATE, "docstring"))
    if existing != "sidecar" and "sidecar" in targets:
        actions.append(for_symbol(GENERATE_SIDECAR, "sidecar"))
    return _shaped(server, actions)


def _in_notebook(
    server: HowtoServer, uri: str, params: types.CodeActionParams
) -> list[types.CodeAction]:
    """One action in a Python notebook cell whose command says guides are not available there."""
    document = server.document(uri)
    if document is None or (document.language_id or "").lower() != "python":
        return []
    if not _wanted(params.context.only, KIND):
        return []
    start = params.range.start
    title = f"{GENERATE} (not available in notebooks)"
    return [_action(title, KIND, GenerateArgs(uri, start.line, start.character))]


def _quick_fixes(uri: str, diagnostics: Sequence[types.Diagnostic]) -> list[types.CodeAction]:
    fixes = []
    for diagnostic in diagnostics:
        data = diagnostic.data
        if diagnostic.source != SOURCE or diagnostic.code != STALE_CODE:
            continue
        if not isinstance(data, dict) or not isinstance(data.get("qualname"), str):
            continue
        target = data.get("where") if data.get("where") in ("docstring", "sidecar") else None
        start = diagnostic.range.start
        args = GenerateArgs(uri, start.line, start.character, target, data["qualname"])
        action = _action(REGENERATE, types.CodeActionKind.QuickFix, args)
        action.diagnostics = [diagnostic]
        action.is_preferred = True
        fixes.append(action)
    return fixes


def _action(title: str, kind: str, args: GenerateArgs) -> types.CodeAction:
    command = types.Command(title=title, command=COMMAND, arguments=[args.to_json()])
    return types.CodeAction(title=title, kind=kind, command=command)


def _wanted(only: Sequence[str] | None, kind: str) -> bool:
    """Whether the client's ``only`` filter lets actions of ``kind`` through."""
    if only is None:
        return True
    name = str(getattr(kind, "value", kind))
    for wanted in only:
        prefix = str(getattr(wanted, "value", wanted))
        if name == prefix or name.startswith(f"{prefix}."):
            return True
    return False


def _shaped(
    server: HowtoServer, actions: list[types.CodeAction]
) -> list[types.CodeAction | types.Command]:
    """Code actions, or bare commands for clients without code-action literal support."""
    if server.flags.code_action_literals:
        return list(actions)
    return [action.command for action in actions if action.command is not None]
