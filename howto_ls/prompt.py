"""The chat messages that ask a model for a guide: seed instructions, the symbol's code, context.

The system message is the seed instructions with their one-shot example (``prompts/system.md``);
the user message fills ``prompts/user.md`` (or the user's ``promptFile``) with ``str.format``
placeholders (``{code}``, ``{import_path}``, ``{context}``, ``{language}``, … see PLACEHOLDERS).

Code, docstrings and context are untrusted data: the template puts them between ``{fence}``
fences, a backtick run longer than any inside them, so no text of theirs can close the fence
(CommonMark's fenced code blocks, §4.5), and the instructions say that text inside is never an
instruction. :func:`addressed_to_model` finds text in them that talks to a model, for a warning.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import io
import re
import string
import textwrap
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import platformdirs

from howto_ls import astutil
from howto_ls.definitions import call_forms
from howto_ls.errors import PromptTemplateError
from howto_ls.guide import HEADING, MARKER_LINE, without_guide
from howto_ls.model import GuideRequest, Symbol, SymbolKind
from howto_ls.usage import Protocol, usage_for_symbol

PROMPT_VERSION = "4"
"""Changes whenever the prompt does, so cached guides from an older prompt are not reused."""

MAX_CODE_CHARS = 20_000
"""Longer code is cut at this many characters, so the prompt stays within small context windows."""

PLACEHOLDERS = (
    "name",
    "qualname",
    "kind",
    "file",
    "module",
    "import_path",
    "import_line",
    "signature",
    "bases",
    "decorators",
    "details",
    "uses",
    "example_hint",
    "code",
    "context",
    "language",
    "fence",
)

Message = dict[str, str]

MARKDOWN_FORMAT_RULE = (
    'Answer with the guide only: the heading "How to Use This Code Block" and the three '
    "sections, with exactly the headings and underlines of the example, and no text before or "
    "after them, and the Execution Steps numbered `1.`, `2.`, `3.`."
)
"""The system message's answer-format rule for a Markdown answer; a request for JSON
(:func:`howto_ls.structured.with_instruction`) replaces it, so one request asks for one format."""


@dataclass(frozen=True)
class Repair:
    """A second chance: the model's previous answer and the problems found in it."""

    answer: str
    problems: tuple[str, ...]


@functools.lru_cache(maxsize=8)
def system_message(language: str = "English") -> str:
    """The seed instructions and one-shot example, with the language of the prose."""
    text = _package_text("system.md")
    return string.Template(text).safe_substitute(language=language)


def default_template() -> str:
    """The user-message template shipped with howto-ls."""
    return _package_text("user.md")


def prompt_file_folders(workspace: Path) -> tuple[Path, Path]:
    """Where a ``promptFile`` may live: the workspace (the project root) and the user's config
    folder (``platformdirs.user_config_dir("howto-ls")``, e.g. ``~/.config/howto-ls``)."""
    return workspace, Path(platformdirs.user_config_dir("howto-ls"))


def allowed_prompt_file(
    prompt_file: str | Path, workspace: Path, exclude: Sequence[str] = ()
) -> Path:
    """``prompt_file`` resolved (``~`` expanded, relative to ``workspace``, symlinks and ``..``
    followed), when it lies inside one of :func:`prompt_file_folders` and, inside the
    workspace, is not excluded (:mod:`howto_ls.exclusion`: the defaults such as ``.env*`` and
    ``*secret*``, ``[tool.howto-ls] exclude``, ``exclude``, ``.gitignore``). A ``file:`` URI
    (RFC 8089) stands for its path.

    Raises :class:`PromptTemplateError` otherwise: the template is sent to the model, so a path
    anywhere else (``~/.ssh/id_ed25519``, a symlink out of the project) or a file howto-ls
    never sends (``.env``) is never read.
    """
    given = _prompt_path(prompt_file)
    path = (given if given.is_absolute() else workspace / given).resolve()
    folders = prompt_file_folders(workspace)
    shown = " or ".join(str(folder) for folder in folders)
    if not any(path.is_relative_to(folder.resolve()) for folder in folders):
        raise PromptTemplateError(
            f"howto.promptFile (HOWTO_PROMPT_FILE) {prompt_file} lies outside the workspace and"
            f" the config folder, so it is not read: move it under {shown}"
        )
    from howto_ls.exclusion import exclusion_for

    why = exclusion_for(workspace, exclude).reason(path)
    if why is not None:
        raise PromptTemplateError(
            f"howto.promptFile (HOWTO_PROMPT_FILE) {prompt_file} is {why}, so it is not read:"
            " use a file howto-ls may send to a model"
        )
    return path


def _prompt_path(prompt_file: str | Path) -> Path:
    """The path ``prompt_file`` names: a ``file:`` URI's path, else the text with ``~``
    expanded."""
    text = str(prompt_file)
    if text[:5].lower() == "file:":
        from howto_ls.lsp.uris import fs_path

        local = fs_path(text)
        if local is not None:
            return Path(local)
    return Path(text).expanduser()


def load_template(
    prompt_file: str | Path | None, workspace: Path | None = None, exclude: Sequence[str] = ()
) -> str:
    """The user-message template: ``prompt_file`` when set, checked; else the shipped one.

    With ``workspace``, the file must lie where :func:`allowed_prompt_file` allows (relative
    paths are taken from ``workspace``; ``exclude`` adds exclusion patterns); without it, any
    readable path is taken as given. Raises :class:`PromptTemplateError`.
    """
    if prompt_file is None or str(prompt_file).strip() == "":
        return default_template()
    if workspace is not None:
        path = allowed_prompt_file(prompt_file, workspace, exclude)
    else:
        path = _prompt_path(prompt_file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise PromptTemplateError(
            f"cannot read the prompt file {path}: {reason}; fix or unset howto.promptFile"
        ) from None
    check_template(text, str(path))
    return text


def check_template(text: str, origin: str = "the prompt template") -> None:
    """Raise :class:`PromptTemplateError` unless ``text`` formats with the known placeholders."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise PromptTemplateError(
            f"{origin} is not a valid template ({exc}): write literal braces as {{{{ and }}}}"
        ) from None
    for name in fields:
        if name not in PLACEHOLDERS:
            shown = "{" + name + "}" if name else "{}"
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise PromptTemplateError(
                f"{origin} uses the unknown placeholder {shown}: use {known}, "
                "and write literal braces as {{ and }}"
            )


def user_message(request: GuideRequest, template: str | None = None) -> str:
    """The user message for ``request``: its code, kind, file, import path and context."""
    text = default_template() if template is None else template
    check_template(text)
    return text.format(**template_values(request))


def build_messages(
    request: GuideRequest, *, template: str | None = None, repair: Repair | None = None
) -> list[Message]:
    """The chat: system, user and, for a repair, the previous answer and its problems."""
    messages = [
        {"role": "system", "content": system_message(request.language)},
        {"role": "user", "content": user_message(request, template)},
    ]
    if repair is not None:
        messages.append({"role": "assistant", "content": repair.answer})
        messages.append({"role": "user", "content": repair_message(repair.problems)})
    return messages


def repair_message(problems: tuple[str, ...] | list[str]) -> str:
    """The follow-up that lists the problems of the previous answer and asks for a fixed guide."""
    listed = "\n".join(f"- {problem}" for problem in problems)
    return (
        "Your guide has these problems:\n"
        f"{listed}\n\n"
        "Write the whole guide again with every problem fixed. Answer with the guide only, "
        "in the answer format the instructions ask for."
    )


def template_values(request: GuideRequest) -> dict[str, str]:
    """The value of every placeholder for ``request``."""
    symbol = request.symbol
    texts = [
        shown_code(symbol.source, symbol.full_range.start.column),
        *map(shown_code, symbol.related),
    ]
    code = bounded_code(without_written_guides("\n\n".join(texts)))
    context = _context_text(request)
    return {
        "name": symbol.name,
        "qualname": symbol.display_name,
        "kind": _kind_text(symbol),
        "file": relative_file(request),
        "module": symbol.module,
        "import_path": symbol.import_path,
        "import_line": import_line(symbol, request.module_source),
        "signature": _signature_text(symbol),
        "bases": bases_text(symbol),
        "decorators": _decorators_text(symbol),
        "details": details_text(request),
        "uses": uses_text(request),
        "example_hint": example_hint(symbol, request.module_source),
        "code": code,
        "context": context,
        "language": request.language,
        "fence": fence_for(code, context),
    }


def shown_code(source: str, column: int | None = None) -> str:
    """A definition's code cut from its file (its first line starts at the definition's
    column, the others keep the file's indentation) with the whole block dedented, so its
    first line and its body line up as they do in the file. ``column`` is the definition's
    column in the file; without it, the smallest indentation of the later lines that makes the
    block parse is taken (``source`` itself when none does)."""
    lines = source.split("\n")
    if len(lines) < 2 or lines[0][:1].isspace():
        return source
    if column is not None:
        return textwrap.dedent(" " * column + source)
    indents = sorted({len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()})
    for width in indents:
        candidate = textwrap.dedent(" " * width + source)
        try:
            astutil.parse(candidate)
        except (SyntaxError, ValueError):
            continue
        return candidate
    return source


def bases_text(symbol: Symbol) -> str:
    """The ``{bases}`` placeholder: a class's bases as written; for a class without any,
    ``object only``; for anything but a class, ``(not a class)``, so no reader takes it for
    the bases of the class a method belongs to."""
    if symbol.kind is not SymbolKind.CLASS:
        return "(not a class)"
    return ", ".join(symbol.bases) or "object only"


def uses_text(request: GuideRequest) -> str:
    """The ``{uses}`` placeholder: what a use of the symbol needs from the project
    (:mod:`howto_ls.use_context`), one ``- `` line each; "(none)" when nothing is known."""
    return "\n".join(f"- {note}" for note in request.uses) or "(none)"


def details_text(request: GuideRequest) -> str:
    """The ``{details}`` placeholder: the lines that say something about this symbol, each
    ending with a line break: a class's bases, the decorators when there are any, and what a
    use needs (:func:`uses_text`) under its own heading; "" when none applies."""
    symbol = request.symbol
    lines = []
    if symbol.kind is SymbolKind.CLASS:
        lines.append(f"Bases: {bases_text(symbol)}")
    if symbol.decorators:
        lines.append(f"Decorators: {_decorators_text(symbol)}")
    if request.uses:
        lines.append(f"What a use needs, from the project's code:\n{uses_text(request)}")
    return "".join(f"{line}\n" for line in lines)


def _decorators_text(symbol: Symbol) -> str:
    return ", ".join(f"@{d.removeprefix('@')}" for d in symbol.decorators) or "(none)"


def without_written_guides(code: str) -> str:
    """``code`` without the guide blocks howto-ls wrote into its docstrings (heading to
    fingerprint marker line): the model writes a guide afresh, and a guide written before
    does not change the prompt (nor its cache key). Anything else is kept as it is."""
    lines = code.split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        rule = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if line.strip() == HEADING and rule and set(rule) == {"="}:
            end = next(
                (n for n in range(index + 2, len(lines)) if MARKER_LINE.fullmatch(lines[n])),
                None,
            )
            if end is not None:
                index = end + 1
                continue
        kept.append(line)
        index += 1
    return "\n".join(kept)


def cache_view(request: GuideRequest) -> GuideRequest:
    """``request`` as a cache key sees it: the symbol's code reduced by :func:`canonical_code`,
    so writing a guide into its docstring (which also reshapes the docstring's quotes) leaves
    the key as it was, while any change to code, comments or the docstring's own text does
    not."""
    symbol = request.symbol
    canonical = dataclasses.replace(
        symbol,
        source=canonical_code(symbol.source),
        related=tuple(canonical_code(text) for text in symbol.related),
    )
    return dataclasses.replace(request, symbol=canonical)


def canonical_code(source: str) -> str:
    """``source`` as one token per line: every token and comment kept, layout (indentation,
    blank lines, line breaks) left out, and each docstring replaced by its own text (the guide
    howto-ls wrote removed, ``inspect.cleandoc``-ed). ``source`` itself when it does not
    tokenize or parse."""
    text = textwrap.dedent(source)
    try:
        tree = astutil.parse(text)
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (SyntaxError, ValueError, tokenize.TokenError, IndentationError, RecursionError):
        return source
    docstrings = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                position = (first.value.lineno, first.value.col_offset)
                docstrings[position] = inspect.cleandoc(without_guide(first.value.value))
    layout = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    out = []
    for token in tokens:
        if token.type in layout:
            continue
        doc = docstrings.get(token.start) if token.type == tokenize.STRING else None
        out.append(repr(doc) if doc is not None else token.string)
    return "\n".join(out)


def fence_for(*texts: str) -> str:
    """A backtick fence that none of ``texts`` can close: one backtick longer than the longest
    run of backticks in them, and at least three (CommonMark §4.5: a closing fence is at least
    as long as the opening one)."""
    longest = max((len(run) for text in texts for run in _BACKTICKS.findall(text)), default=0)
    return "`" * max(3, longest + 1)


_BACKTICKS = re.compile(r"`+")

_ADDRESSED = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|of\s+|the\s+)*"
    r"(?:previous|prior|above|earlier|preceding|system|your|these|those)\s+"
    r"(?:instructions|prompts?|rules|directions)\b"
    r"|\bdisregard\s+(?:all\s+|the\s+)*(?:above|previous|prior)\b"
    r"|\byou\s+are\s+now\b"
    r"|\bsystem\s+prompt\b"
    r"|\bnew\s+instructions\s*:"
    r"|<\|im_start\|>|<\|system\|>|\[/?INST\]",
    re.IGNORECASE,
)


def addressed_to_model(request: GuideRequest) -> list[str]:
    """Phrases in the symbol's code, docstrings and context that address a model ("ignore all
    previous instructions", "you are now", "system prompt", "new instructions:", chat-template
    tokens), each once, shortened to 60 characters, in the order they appear."""
    symbol = request.symbol
    texts = [symbol.source, *symbol.related, _context_text(request)]
    found: dict[str, None] = {}
    for text in texts:
        for match in _ADDRESSED.finditer(text):
            phrase = " ".join(match.group().split())
            found.setdefault(phrase[:60])
    return list(found)


def _signature_text(symbol: Symbol) -> str:
    """The signature, then each ``@overload`` call form on a line of its own (the signatures'
    code comes after the implementation's, so a long implementation can push it out)."""
    signatures = [*symbol.related, symbol.source]  # the last signature, with no implementation
    forms = call_forms(signatures, method=symbol.kind in _METHODS, limit=MAX_CODE_CHARS)
    lines = [symbol.signature or "(none)", *(f"  call form (@overload): {f}" for f in forms)]
    return "\n".join(lines)


_METHODS = (SymbolKind.METHOD, SymbolKind.CLASSMETHOD, SymbolKind.PROPERTY)


def import_line(symbol: Symbol, module_source: str = "") -> str:
    """How the usage example imports the symbol: its top-level name from its public path; for
    a name that exists only for type checkers (:mod:`howto_ls.usage`), under
    ``if TYPE_CHECKING:`` after ``from __future__ import annotations`` (the text goes between
    backticks in the prompt)."""
    if not symbol.qualname:
        return f"import {symbol.import_path}"
    line = f"from {symbol.import_path} import {symbol.qualname.split('.')[0]}"
    if usage_for_symbol(symbol, module_source).protocol is Protocol.TYPE_CHECKING_ONLY:
        return f"from __future__ import annotations`, then `if TYPE_CHECKING: {line}"
    return line


def example_hint(symbol: Symbol, module_source: str = "") -> str:
    """What the usage example must do for this symbol: the instruction of its usage protocol
    (:mod:`howto_ls.usage`, shared with the offline writer and the validator)."""
    usage = usage_for_symbol(symbol, module_source)
    return f"Usage Example: {usage.instruction}"


def relative_file(request: GuideRequest) -> str:
    """The symbol's file relative to the project (``extra['relpath']``) or the working folder."""
    given = request.extra.get("relpath")
    if given:
        return given
    path = request.symbol.path
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return path.name


def _kind_text(symbol: Symbol) -> str:
    prefix = "async " if symbol.is_async else ""
    suffix = " (generator)" if symbol.is_generator else ""
    return f"{prefix}{symbol.kind.value}{suffix}"


def bounded_code(source: str, limit: int = MAX_CODE_CHARS) -> str:
    """``source`` whole when it has at most ``limit`` characters; else cut after the last whole
    statement that fits (never inside one), followed by an outline of the functions and classes
    that were cut, one comment line each with its line number (1-based, in ``source``)."""
    if len(source) <= limit:
        return source.rstrip("\n")
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    try:
        tree = astutil.parse(textwrap.dedent(source))
    except (SyntaxError, ValueError):
        tree = None
    statements = [n for n in ast.walk(tree) if isinstance(n, ast.stmt)] if tree else []
    budget = limit - 1_500  # room for the outline
    last = 0
    # whole module-level statements and whole methods first; inside a function only if needed
    for candidates in (_outer_statements(tree.body if tree else []), statements):
        fitting = [
            end for end in (n.end_lineno or n.lineno for n in candidates) if offsets[end] <= budget
        ]
        if fitting:
            last = max(fitting)
            break
    if not last:
        last = max(1, sum(1 for end in offsets[1:] if end <= budget))
    kept = "".join(lines[:last]).rstrip("\n")
    outline = [
        f"#   line {n.lineno}: {'async def' if isinstance(n, ast.AsyncFunctionDef) else 'def'} "
        f"{n.name}(...)"
        if not isinstance(n, ast.ClassDef)
        else f"#   line {n.lineno}: class {n.name}"
        for n in statements
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and n.lineno > last
    ]
    shown = outline[:40] + (["#   ..."] if len(outline) > 40 else [])
    head = (
        f"# ... (cut after line {last} of {len(lines)}: the code is longer than {limit} characters)"
    )
    rest = ["# what was cut defines:", *shown] if shown else []
    return "\n".join([kept, head, *rest])


def _outer_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements of ``body`` and, inside classes, of their bodies: never inside a function."""
    found: list[ast.stmt] = []
    for node in body:
        found.append(node)
        if isinstance(node, ast.ClassDef):
            found.extend(_outer_statements(node.body))
    return found


def _context_text(request: GuideRequest) -> str:
    if not request.context:
        return "(none)"
    lines = []
    for item in request.context:
        line = f"- {item.qualname}: {item.signature}"
        if item.summary:
            line += f" — {item.summary}"
        lines.append(line)
    return "\n".join(lines)


@functools.lru_cache(maxsize=4)
def _package_text(name: str) -> str:
    """A file shipped in ``howto_ls/prompts``, read once."""
    return (
        resources.files("howto_ls").joinpath("prompts").joinpath(name).read_text(encoding="utf-8")
    )
