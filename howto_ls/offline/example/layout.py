"""The example's text: imports merged and ordered, long lines broken, then checked to parse."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

from howto_ls.astutil import parse, parse_expression
from howto_ls.offline.example.draft import Draft

LINE_LIMIT = 88


def assignment_lines(variable: str, expression: str) -> list[str]:
    """The lines of ``variable = expression``, lists, dicts and calls broken one item per line
    where a line would be longer than :data:`LINE_LIMIT`."""
    return _broken(f"{variable} = ", expression, "", "")


def _broken(prefix: str, expression: str, suffix: str, indent: str) -> list[str]:
    """The lines of ``prefix + expression + suffix``, splitting lists, dicts and calls."""
    line = f"{indent}{prefix}{expression}{suffix}"
    if len(line) <= LINE_LIMIT:
        return [line]
    try:
        node = parse_expression(expression)
    except SyntaxError:
        return [line]

    def segment(part: ast.AST) -> str:
        return ast.get_source_segment(expression, part) or ""

    if isinstance(node, ast.List):
        opening, closing = "[", "]"
        pieces = [("", segment(item)) for item in node.elts]
    elif isinstance(node, ast.Dict) and all(key is not None for key in node.keys):
        opening, closing = "{", "}"
        pieces = [
            (f"{segment(key)}: ", segment(value))
            for key, value in zip(node.keys, node.values, strict=True)
            if key is not None
        ]
    elif isinstance(node, ast.Call):
        opening, closing = f"{segment(node.func)}(", ")"
        pieces = [("", segment(argument)) for argument in node.args]
        pieces += [(f"{k.arg}=" if k.arg else "**", segment(k.value)) for k in node.keywords]
    else:
        return [line]
    if not pieces or any(not text for _, text in pieces):
        return [line]
    lines = [f"{indent}{prefix}{opening}"]
    for head, text in pieces:
        lines += _broken(head, text, ",", indent + "    ")
    return [*lines, f"{indent}{closing}{suffix}"]


def _merged(imports: Sequence[str]) -> list[str]:
    """The import lines, with the names imported from one module joined into one line."""
    groups: dict[str, list[str]] = {}
    for line in dict.fromkeys(imports):
        match = re.fullmatch(r"from (\S+) import (\w+)", line)
        key, name = (match.group(1), match.group(2)) if match else (line, "")
        groups.setdefault(key, [])
        if name:
            groups[key].append(name)
    return [
        f"from {key} import {', '.join(sorted(names, key=_import_order))}" if names else key
        for key, names in groups.items()
    ]


def _import_order(name: str) -> tuple[int, str]:
    """isort's order by type: CONSTANTS, then Classes, then the rest."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name


def example_that_parses(text: str, import_path: str, top: str) -> str:
    """The example ``text`` if it parses; otherwise a minimal one that does: importing the
    top-level name ``top`` (``module`` when it is no identifier) from ``import_path`` and
    printing it."""
    try:
        parse(text)
    except SyntaxError:
        safe_top = top if top.isidentifier() else "module"
        return f"from {import_path} import {safe_top}\n\nprint({safe_top})\n"
    return text


def render(draft: Draft) -> str:
    """The text of the example ``draft`` holds: imports, setup, then the body (inside
    ``async def main()`` when it awaits), checked to parse."""
    lines: list[str] = []
    if draft.needs_async:
        lines.append("import asyncio")
    imports = _merged(draft.imports)
    std = [i for i in imports if i.startswith(("from pathlib", "from itertools", "import "))]
    lines += std
    if lines:
        lines.append("")
    lines += [i for i in imports if i not in std]
    if draft.setup:
        lines += ["", *draft.setup]
    body = draft.body
    if draft.managed_from is not None:
        start, end = draft.managed_from, draft.managed_until or len(body)
        inside = [f"    {line}" for line in body[start:end]] or ["    pass"]
        body = [*body[:start], *inside, *body[end:]]
    if draft.needs_async:
        lines += ["", "", "async def main() -> None:"]
        lines += [f"    {line}" for line in body]
        lines += ["", "", "asyncio.run(main())"]
    else:
        lines += ["", *body]
    text = "\n".join(lines).strip("\n") + "\n"
    return example_that_parses(text, draft.import_path, draft.top)
