"""What a model's Usage Example would do to the machine, judged from its code before it is kept.

A model's answer is untrusted input (a docstring may carry instructions aimed at the model). An
example may do what showing its symbol needs, nothing more. Each call or name the example uses
is mapped to a *kind* by one table (:data:`howto_ls.example_safety_table.TABLE`), after
resolving the example's own imports and aliases (``from os import system as s``,
``run = subprocess.run``, ``f = exec``, ``getattr(os, "system")``,
``operator.attrgetter("system")(os)``, ``sys.modules["os"]``, ``posix``/``nt`` as ``os``,
``importlib.import_module("subprocess")``):

=========== ===================================================================================
kind        examples
=========== ===================================================================================
process     ``subprocess.*``, ``os.system``, ``os.popen``, ``os.exec*``, ``os.spawn*``,
            ``os.fork``, ``os.startfile``, ``pty.*``, ``multiprocessing.*``,
            ``asyncio.create_subprocess_*``
signal      ``os.kill``, ``os.killpg``, ``signal.pthread_kill``
environment ``os.environ`` read, ``os.getenv``, ``os.environb``, ``os.getppid``,
            ``/proc/…/environ``
network     ``socket.*``, ``ssl.*``, ``urllib.request.*``, ``http.client.*``, ``ftplib``,
            ``smtplib``, ``requests``, ``urllib3``, ``aiohttp``, ``httpx.get``/``Client``…,
            ``http.server``, ``socketserver``, ``loop.create_connection``
terminal    ``input``, ``breakpoint``, ``getpass.getpass``, ``pdb.*``, ``sys.stdin``
files       ``open``, ``io.open``, ``codecs.open``, ``os.open``, ``fileinput``, ``linecache``,
            ``sqlite3.connect``, ``tarfile.open``, ``zipfile.ZipFile``, ``shutil.*``,
            ``Path.read_text``/``write_text``/``symlink_to``/…, ``os.listdir``…
move        ``os.rename``, ``os.replace``, ``shutil.move``, ``Path(…).rename``
delete      ``os.remove``/``unlink``/``rmdir``, ``shutil.rmtree``, ``Path.unlink``/``rmdir``
dynamic     ``eval``/``exec``/``compile`` of built code or passed as a value,
            ``__import__``/``importlib``/``getattr``/``attrgetter`` of a computed name,
            ``vars``/``__dict__`` of a module, ``sys.modules``, ``pickle``/``marshal``
            loads, ``shelve``, ``runpy``, ``zipimport``, ``importlib.util``,
            ``types.CodeType``/``FunctionType``, ``timeit``, ``cProfile.run``, ``ctypes``,
            ``builtins.exec``…, ``globals()``, ``gc.get_objects``, ``sys._getframe``,
            ``pkgutil.resolve_name``, ``pydoc.locate``, and the attributes that lead to
            classes, globals, code and frames (``__class__``, ``__base__``,
            ``__subclasses__``, ``__globals__``, ``__code__``, ``__builtins__``,
            ``f_globals``…, also inside ``str.format`` fields; reading
            ``x.__class__.__name__`` is fine), a module such as ``os`` handed on whole
            (``run(os)``), a ``.py``/``.pth`` file written with content that is not a
            literal judged as code
=========== ===================================================================================

Rules (:func:`safety_problems`):

- process, signal, environment, network, terminal and dynamic kinds are refused unless the
  symbol's own code (read with the same table, :func:`kinds_in`) does that kind of thing; a
  symbol of a network client package (``httpx``) counts as opening connections;
- files may be read and written inside the working folder (relative paths, ``/dev/null``) or
  under a temporary folder the example makes (``tempfile.TemporaryDirectory()``,
  ``mkdtemp()``…); never outside it: absolute paths (also built with ``%``, an f-string or
  ``"/".join``), ``~``, ``..``, ``expanduser``, ``Path.home()``, ``os.sep``, ``abspath``, the
  parent of ``Path.cwd()``, and text made from codes or encodings (``chr``, ``bytes``,
  ``b64decode``, ``[::-1]``), which hides where it points;
- files may be moved or deleted only when the symbol's own code does so, and only under a
  temporary folder the example makes.

A string literal given to ``exec``/``eval``/``compile`` is judged as code too. This is a check
of what the text says, not a sandbox: code that hides its intent well enough passes it, which is
why running examples goes through the sandbox as well.
"""

from __future__ import annotations

import ast
import enum
import functools
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence

from howto_ls.astutil import parse, parse_shared
from howto_ls.example_safety_table import (
    ATTRIBUTE_GETTERS,
    BUILTINS,
    CODE_RUNNERS,
    DELETE_METHODS,
    DUNDER_REACH,
    ENVIRONMENT_WRITES,
    FILE_METHODS,
    IMPORTERS,
    INSIDE_MAKERS,
    NETWORK_METHODS,
    OBSCURING,
    OUTSIDE_MAKERS,
    PATH_BUILDERS,
    PATH_METHODS,
    PRINTED_DUNDERS,
    TEMP_MAKERS,
    Kind,
    canonical,
    is_risky_module,
    kind_of,
    network_package,
)
from howto_ls.model import Symbol, SymbolKind

__all__ = ["MAX_PROBLEMS", "Kind", "kind_of", "kinds_in", "safety_problems"]

_EXAMPLE = "Usage Example"
MAX_PROBLEMS = 5
"""At most this many safety problems are reported for one example (the repair round reads them)."""
_MAX_DEPTH = 40
"""Expressions nested deeper are not followed (their paths count as unknown)."""


_DRIVE = re.compile(r"^[A-Za-z]:")
_FORMAT = re.compile(r"^%[-#0 +]*\d*(\.\d+)?[a-zA-Z]")
"""A ``%`` conversion at the start of a template (``%s``, ``%05d``)."""
_REFERENCED_RUNNERS = CODE_RUNNERS | IMPORTERS | ATTRIBUTE_GETTERS | {"vars"}
"""Passed around as a value (``f = exec``), these hide what the later call does."""


class Place(enum.IntEnum):
    """Where a path expression points, from safest to worst."""

    TEMP = 0  # under a temporary folder the example made
    INSIDE = 1  # relative to the working folder, without ``..``
    UNKNOWN = 2  # cannot tell (a parameter, a result)
    OUTSIDE = 3  # absolute, ``~``, ``..``, the home folder


def _join(first: Place, second: Place) -> Place:
    """The place of a name bound twice: the same, or the worse of unknown and the worst."""
    if first is second:
        return first
    return Place.OUTSIDE if Place.OUTSIDE in (first, second) else Place.UNKNOWN


def safety_problems(example: str, symbol: Symbol, module_source: str = "") -> list[str]:
    """One sentence per thing ``example`` does beyond what showing ``symbol`` needs.

    ``module_source`` is the symbol's module: its imports resolve the names in the symbol's own
    code (:func:`kinds_in`). [] when the example does not parse (reported elsewhere). Each
    sentence names the example's line (1-based) and the call, for the repair round.
    """
    try:
        tree = parse(example)
    except (SyntaxError, ValueError, RecursionError):
        return []
    own = kinds_in("\n\n".join([symbol.source, *symbol.related]), module_source)
    if network_package(symbol.module) or network_package(symbol.import_path):
        own |= {Kind.NETWORK}
    name = symbol.name if symbol.kind is not SymbolKind.MODULE else symbol.import_path
    found: dict[tuple[int, Kind], str] = {}
    for line, shown, kind, place in _Scanner(tree).uses():
        problem = _judge(line, shown, kind, place, own, name or "the symbol")
        if problem is not None:
            found.setdefault((line, kind), problem)
        if len(found) >= MAX_PROBLEMS:
            break
    return list(found.values())


@functools.lru_cache(maxsize=64)
def kinds_in(source: str, module_source: str = "") -> frozenset[Kind]:
    """Every kind the code ``source`` does, its names resolved by its own imports and those of
    ``module_source``; any ``Path`` read/write or delete method counts, whatever its receiver."""
    try:
        tree = parse(textwrap.dedent(source))
    except (SyntaxError, ValueError, RecursionError):
        return frozenset()
    imports = _imports_of(module_source) if module_source != source else ()
    scanner = _Scanner(tree, extra_imports=imports)
    kinds = {kind for _, _, kind, _ in scanner.uses(methods_anywhere=True)}
    return frozenset(kinds)


@functools.lru_cache(maxsize=32)
def _imports_of(module_source: str) -> tuple[ast.stmt, ...]:
    """Every ``import`` statement of a module (at any depth), found once per module text."""
    if not module_source:
        return ()
    try:
        module = parse_shared(module_source)
    except (SyntaxError, ValueError, RecursionError):
        return ()
    return tuple(n for n in ast.walk(module) if isinstance(n, ast.Import | ast.ImportFrom))


def _judge(
    line: int, shown: str, kind: Kind, place: Place, own: frozenset[Kind], name: str
) -> str | None:
    where = f"{_EXAMPLE} line {line}: `{shown}`"
    if kind is Kind.FILES:
        if place is not Place.OUTSIDE:
            return None
        return (
            f"{where} reads or writes outside the example's working folder: use a relative path, "
            "or a folder made by `tempfile.TemporaryDirectory()`"
        )
    if kind in {Kind.DELETE, Kind.MOVE}:
        if kind not in own and Kind.DELETE not in own:
            return f"{where} {kind.value}, which `{name}` itself does not do: leave files alone"
        if place is Place.TEMP:
            return None
        verb = kind.value.removesuffix(" files")
        return (
            f"{where} {verb} a path the example did not make under a temporary folder: touch "
            "only what it creates in `tempfile.TemporaryDirectory()`"
        )
    if kind in own:
        return None
    return (
        f"{where} {kind.value}, which `{name}` itself does not do: show only what using "
        f"`{name}` needs"
    )


Use = tuple[int, str, Kind, Place]
"""``(line, shown code, kind, place of its path)`` of one use found in code."""


class _Scanner:
    """The uses of table names in one piece of code, its aliases and path places resolved."""

    def __init__(self, tree: ast.Module, *, extra_imports: Sequence[ast.stmt] = ()) -> None:
        self.tree = tree
        self.aliases: dict[str, str] = {}
        self.places: dict[str, Place] = {}
        self.star_modules: list[str] = []
        self.parents: dict[int, ast.AST] = {}
        ordered: list[ast.stmt | ast.expr] = sorted(
            (n for n in ast.walk(tree) if isinstance(n, ast.stmt | ast.expr)),
            key=lambda n: (n.lineno, n.col_offset),
        )
        nodes: list[ast.AST] = [*ordered]
        nodes += [n for n in ast.walk(tree) if isinstance(n, ast.comprehension)]
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
        for node in [*extra_imports, *nodes]:
            self._bind(node)

    # -- names ------------------------------------------------------------------------------

    def _bind(self, node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name == "*":
                    self.star_modules.append(node.module)
                else:
                    self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr):
            value = node.value
            if value is None:
                return
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                self._bind_target(target, value)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            self._bind_target(node.target, node.iter)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if item.optional_vars is not None:
                    self._bind_target(item.optional_vars, item.context_expr)

    def _bind_target(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                if isinstance(element, ast.Name):
                    self._place_name(element.id, self.place(value))
            return
        if not isinstance(target, ast.Name):
            return
        qualified = self.qualify(value)
        if qualified is not None and (
            kind_of(qualified) or is_risky_module(qualified) or qualified in _REFERENCED_RUNNERS
        ):
            self.aliases[target.id] = qualified
        self._place_name(target.id, self.place(value))

    def _place_name(self, name: str, place: Place) -> None:
        old = self.places.get(name)
        self.places[name] = place if old is None else _join(old, place)

    def qualify(self, node: ast.expr, depth: int = 0) -> str | None:
        """The dotted name ``node`` refers to (``os.system``), or None."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                return canonical(self.aliases[node.id])
            if node.id in self.places:
                return None  # a local variable
            for module in self.star_modules:
                if kind_of(f"{module}.{node.id}"):
                    return f"{module}.{node.id}"
            return node.id if node.id in BUILTINS else None
        if isinstance(node, ast.Attribute):
            base = self.qualify(node.value, depth + 1)
            return canonical(f"{base}.{node.attr}") if base else None
        if isinstance(node, ast.Call):
            func = self.qualify(node.func, depth + 1)
            first = _literal(node.args[0]) if node.args else None
            if func == "getattr" and len(node.args) >= 2:
                base = self.qualify(node.args[0], depth + 1)
                attribute = _literal(node.args[1])
                if base and attribute is not None:
                    return canonical(f"{base}.{attribute}")
            if func == "importlib.import_module" and first is not None:
                return first
            if func == "__import__" and first is not None:
                return first.split(".")[0]
            if isinstance(node.func, ast.Call) and node.args:
                getter = self.qualify(node.func.func, depth + 1)
                name = _literal(node.func.args[0]) if node.func.args else None
                base = self.qualify(node.args[0], depth + 1)
                if getter == "operator.attrgetter" and name is not None and base:
                    return canonical(f"{base}.{name}")
        if isinstance(node, ast.Subscript) and self.qualify(node.value, depth + 1) == "sys.modules":
            return _literal(node.slice)
        return None

    # -- paths ------------------------------------------------------------------------------

    def place(self, node: ast.expr, depth: int = 0) -> Place:
        """Where the path ``node`` evaluates to points."""
        if depth > _MAX_DEPTH:
            return Place.UNKNOWN
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            text = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
            return _place_of_text(text)
        if isinstance(node, ast.JoinedStr):
            return self._joined(node, depth)
        qualified = (
            self.qualify(node, depth + 1) if isinstance(node, ast.Name | ast.Attribute) else None
        )
        if qualified in OUTSIDE_MAKERS or qualified in INSIDE_MAKERS:
            return Place.OUTSIDE if qualified in OUTSIDE_MAKERS else Place.INSIDE
        if isinstance(node, ast.Name):
            return self.places.get(node.id, Place.UNKNOWN)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            left = _literal(node.left)  # "/proc/%d/environ" % pid, "%s/etc" % root
            if left is None or not left.startswith("%"):
                return self.place(node.left, depth + 1)
            right = node.right
            first = right.elts[0] if isinstance(right, ast.Tuple) and right.elts else right
            if _literal(first) is not None:  # "%s/etc" % "": the text as it will be
                return _place_of_text(str(_literal(first)) + _FORMAT.sub("", left, count=1))
            return self.place(first, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div | ast.Add):
            return self._combined(self.place(node.left, depth + 1), [node.right], depth)
        if isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Slice) and node.slice.step is not None:
                return Place.OUTSIDE  # "dwssap/cte/"[::-1]
            qualified = self.qualify(node.value, depth + 1)
            return Place.OUTSIDE if qualified in {"os.environ", "os.environb"} else Place.UNKNOWN
        if isinstance(node, ast.Attribute):
            base = self.place(node.value, depth + 1)
            if node.attr == "name":
                return base if base is Place.TEMP else Place.UNKNOWN
            if node.attr in {"parent", "parents", "anchor", "root", "drive"}:
                outside = base is Place.OUTSIDE or self._from_cwd(node.value)
                return Place.OUTSIDE if outside else Place.UNKNOWN
            return Place.UNKNOWN
        if isinstance(node, ast.Call):
            return self._called(node, depth)
        return Place.UNKNOWN

    def _called(self, node: ast.Call, depth: int) -> Place:
        qualified = self.qualify(node.func, depth + 1)
        if qualified in TEMP_MAKERS:
            return Place.TEMP
        if qualified in OUTSIDE_MAKERS or (
            isinstance(node.func, ast.Attribute) and node.func.attr in {"home", "expanduser"}
        ):
            return Place.OUTSIDE
        if qualified in INSIDE_MAKERS:
            return Place.INSIDE
        if qualified in PATH_BUILDERS or qualified == "os.path.dirname":
            if not node.args:
                return Place.INSIDE
            start = self._combined(self.place(node.args[0], depth + 1), node.args[1:], depth)
            if qualified == "os.path.dirname" and start is not Place.OUTSIDE:
                return Place.OUTSIDE if self._from_cwd(node.args[0]) else Place.UNKNOWN
            return start
        last = qualified.rsplit(".", 1)[-1] if qualified else None
        if isinstance(node.func, ast.Attribute):
            last = node.func.attr
        if last in OBSCURING:
            return Place.OUTSIDE
        separator = _literal(node.func.value) if isinstance(node.func, ast.Attribute) else None
        if (
            last == "join"
            and separator
            and node.args
            and isinstance(node.args[0], ast.List | ast.Tuple)
        ):
            parts = node.args[0].elts  # "/".join(["", "etc", "passwd"])
            if not parts or _literal(parts[0]) == "":
                return Place.OUTSIDE
            return self._combined(self.place(parts[0], depth + 1), parts[1:], depth)
        if isinstance(node.func, ast.Attribute) and node.func.attr in PATH_METHODS:
            return self._combined(self.place(node.func.value, depth + 1), node.args, depth)
        return Place.UNKNOWN

    def _writes_python(self, node: ast.Call, qualified: str | None) -> bool:
        """Whether ``node`` writes a Python file (``.py``, ``.pth``) that a later import runs:
        ``open("m.py", "w")`` or ``Path("m.py").write_text(…)``."""
        func = node.func
        if qualified == "open" and node.args:
            mode = _literal(node.args[1]) if len(node.args) > 1 else None
            mode = next((_literal(k.value) for k in node.keywords if k.arg == "mode"), mode)
            target = node.args[0]
            if mode is None or not set(mode) & set("wax+"):
                return False
        elif isinstance(func, ast.Attribute) and func.attr in {"write_text", "write_bytes"}:
            target = func.value
        else:
            return False
        if isinstance(target, ast.Call) and target.args:
            target = target.args[-1]  # Path(folder, "m.py")
        elif isinstance(target, ast.BinOp):
            target = target.right  # Path(folder) / "m.py"
        text = _literal(target) or ""
        return text.endswith((".py", ".pyw", ".pth", ".pyc"))

    def _is_path(self, node: ast.expr) -> bool:
        """Whether ``node`` is a ``pathlib`` path made right there (``Path("a")``)."""
        if not isinstance(node, ast.Call):
            return False
        qualified = self.qualify(node.func)
        return qualified is not None and qualified.startswith("pathlib.")

    def _from_cwd(self, node: ast.expr) -> bool:
        """Whether the path ``node`` is built on the working folder's absolute path
        (``Path.cwd()``, ``resolve()``), so that its parent lies outside."""
        for call in ast.walk(node):
            if isinstance(call, ast.Call):
                func = call.func
                name = func.attr if isinstance(func, ast.Attribute) else self.qualify(func)
                if name in {"cwd", "getcwd", "resolve", "absolute", "abspath", "realpath"}:
                    return True
        return False

    def _combined(self, start: Place, parts: Iterable[ast.expr], depth: int) -> Place:
        """A path built from ``start`` and more ``parts`` (``/``, ``join``): an absolute or
        ``..`` part takes it outside."""
        place = start
        for part in parts:
            if self.place(part, depth + 1) is Place.OUTSIDE:
                return Place.OUTSIDE
        return place

    def _joined(self, node: ast.JoinedStr, depth: int) -> Place:
        pieces = node.values
        if not pieces:
            return Place.INSIDE
        for piece in pieces[1:]:
            if (
                isinstance(piece, ast.Constant)
                and isinstance(piece.value, str)
                and ".." in re.split(r"[\\/]", piece.value)
            ):
                return Place.OUTSIDE
        first = pieces[0]
        if isinstance(first, ast.FormattedValue) and _literal(first.value) == "" and pieces[1:]:
            first = pieces[1]  # f"{''}/etc"
        if isinstance(first, ast.FormattedValue):
            return self.place(first.value, depth + 1)
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return _place_of_text(first.value)
        return Place.UNKNOWN

    # -- uses -------------------------------------------------------------------------------

    def uses(self, *, methods_anywhere: bool = False, depth: int = 0) -> Iterator[Use]:
        """Every use of a table name, in source order.

        ``methods_anywhere`` counts a ``Path`` file or delete method on any receiver (for the
        symbol's own code); otherwise only on a receiver that is a path going outside (files)
        or any receiver (delete).
        """
        nodes = sorted(
            (n for n in ast.walk(self.tree) if isinstance(n, ast.expr)),
            key=lambda n: (n.lineno, n.col_offset),
        )
        for node in nodes:
            if self._reaches_beyond(node):
                yield node.lineno, _shown(node), Kind.DYNAMIC, Place.UNKNOWN
            elif isinstance(node, ast.Call):
                yield from self._call(node, methods_anywhere, depth)
            elif isinstance(node, ast.Name | ast.Attribute) and self._is_reference(node):
                yield from self._reference(node)

    def _reaches_beyond(self, node: ast.expr) -> bool:
        """Whether ``node`` reaches objects the example did not name: ``__builtins__``, the
        dunders that lead to classes, globals and code (``().__class__.__base__``), the
        ``__dict__`` of anything but the example's own variables, or a code runner taken from
        the ``builtins`` module (``builtins.exec``)."""
        if isinstance(node, ast.Name):
            return node.id == "__builtins__"
        if not isinstance(node, ast.Attribute) or isinstance(node.ctx, ast.Store):
            return False
        parent = self.parents.get(id(node))
        if node.attr == "__class__":
            return not (isinstance(parent, ast.Attribute) and parent.attr in PRINTED_DUNDERS)
        if node.attr == "__dict__":
            value = node.value
            return not (isinstance(value, ast.Name) and self.qualify(value) is None)
        if node.attr in DUNDER_REACH:
            return True
        base = self.qualify(node.value)
        return (
            base is not None
            and canonical(base) in {"builtins", "__builtins__"}
            and (canonical(f"{base}.{node.attr}") in _REFERENCED_RUNNERS)
        )

    def _is_reference(self, node: ast.Name | ast.Attribute) -> bool:
        """Whether ``node`` is a whole dotted name read, not part of a longer one or a call."""
        parent = self.parents.get(id(node))
        if isinstance(parent, ast.Attribute) and parent.value is node:
            return False
        if isinstance(parent, ast.Call) and parent.func is node:
            return False
        return isinstance(node.ctx, ast.Load)

    def _reference(self, node: ast.Name | ast.Attribute) -> Iterator[Use]:
        qualified = self.qualify(node)
        if qualified is None or qualified in ENVIRONMENT_WRITES:
            return
        if qualified in _REFERENCED_RUNNERS:
            yield node.lineno, _shown(node), Kind.DYNAMIC, Place.UNKNOWN
            return
        kind = kind_of(qualified)
        if kind is None and is_risky_module(qualified):
            kind = Kind.DYNAMIC  # a module handed on whole (run(os)): its use is out of sight
        if kind is None or kind in {Kind.FILES, Kind.MOVE, Kind.DELETE}:
            return  # files are judged where they are called
        parent = self.parents.get(id(node))
        if (
            kind is Kind.ENVIRONMENT
            and isinstance(parent, ast.Subscript)
            and not isinstance(parent.ctx, ast.Load)
        ):
            return  # os.environ["NAME"] = value sets, never reads
        yield node.lineno, _shown(node), kind, Place.UNKNOWN

    def _call(self, node: ast.Call, methods_anywhere: bool, depth: int) -> Iterator[Use]:
        func = node.func
        qualified = self.qualify(func)
        shown = _shown(node)
        if isinstance(func, ast.Call) and node.args and func.args:
            name = _literal(func.args[0])
            base = self.qualify(node.args[0])
            if self.qualify(func.func) == "operator.methodcaller" and name and base:
                qualified = canonical(f"{base}.{name}")  # methodcaller("system", "id")(os)
        if qualified in CODE_RUNNERS:
            code = _literal(node.args[0]) if node.args else None
            if code is None:
                yield node.lineno, shown, Kind.DYNAMIC, Place.UNKNOWN
            elif depth < 2:
                yield from self._literal_code(code, node.lineno, shown, methods_anywhere, depth)
            return
        if qualified in IMPORTERS:
            if not node.args or _literal(node.args[0]) is None:
                yield node.lineno, shown, Kind.DYNAMIC, Place.UNKNOWN
            return
        if qualified in ATTRIBUTE_GETTERS:
            if _reaches_computed(qualified, node, self.qualify):
                yield node.lineno, shown, Kind.DYNAMIC, Place.UNKNOWN
            return
        if qualified == "vars" and node.args:
            base = self.qualify(node.args[0])
            if base is not None and is_risky_module(base):
                yield node.lineno, shown, Kind.DYNAMIC, Place.UNKNOWN
            return
        kind = kind_of(qualified) if qualified is not None else None
        if self._writes_python(node, qualified):
            content = node.args[0] if qualified is None and node.args else None
            code = _literal(content) if content is not None else None
            if code is None:
                yield node.lineno, shown, Kind.DYNAMIC, Place.UNKNOWN
            elif depth < 2:
                yield from self._literal_code(code, node.lineno, shown, methods_anywhere, depth)
        if kind in {Kind.FILES, Kind.MOVE, Kind.DELETE}:
            paths = [*node.args, *(k.value for k in node.keywords if k.arg is not None)]
            places = [self.place(path) for path in paths] or [Place.INSIDE]
            if any(_names_proc_environ(path) for path in paths):
                yield node.lineno, shown, Kind.ENVIRONMENT, Place.UNKNOWN
            yield node.lineno, shown, kind, places[0] if kind is Kind.DELETE else _worst(places)
            return
        if kind is not None:
            if qualified not in ENVIRONMENT_WRITES:
                yield node.lineno, shown, kind, Place.UNKNOWN
            return
        if isinstance(func, ast.Attribute) and func.attr in NETWORK_METHODS:
            yield node.lineno, shown, Kind.NETWORK, Place.UNKNOWN
            return
        if isinstance(func, ast.Attribute) and func.attr in {"format", "format_map"}:
            template = _literal(func.value) or ""
            if re.search(r"\{[^{}]*(__\w+__|f_globals|f_locals)", template):
                yield node.lineno, shown, Kind.DYNAMIC, Place.UNKNOWN  # "{0.__globals__}"
                return
        if isinstance(func, ast.Attribute) and qualified is None:
            receiver = self.place(func.value)
            if func.attr in {"symlink_to", "hardlink_to", "rename", "replace"}:
                receiver = _worst([receiver, *(self.place(a) for a in node.args)])
            if func.attr in {"rename", "replace"} and self._is_path(func.value):
                yield node.lineno, shown, Kind.MOVE, receiver
                return
            if func.attr in DELETE_METHODS:
                yield node.lineno, shown, Kind.DELETE, receiver
            elif func.attr in FILE_METHODS and (methods_anywhere or receiver is Place.OUTSIDE):
                yield node.lineno, shown, Kind.FILES, receiver

    def _literal_code(
        self, code: str, line: int, shown: str, methods_anywhere: bool, depth: int
    ) -> Iterator[Use]:
        """The uses in code given to ``exec``/``eval`` as a literal, reported at ``line``."""
        try:
            inner = parse(code)
        except (SyntaxError, ValueError, RecursionError):
            yield line, shown, Kind.DYNAMIC, Place.UNKNOWN
            return
        nested = _Scanner(inner)
        nested.aliases = {**self.aliases, **nested.aliases}
        nested.places = {**self.places, **nested.places}
        for _, _, kind, place in nested.uses(methods_anywhere=methods_anywhere, depth=depth + 1):
            yield line, shown, kind, place


def _reaches_computed(
    getter: str, node: ast.Call, qualify: Callable[[ast.expr], str | None]
) -> bool:
    """Whether ``getattr(base, name)``, ``attrgetter(name)`` or ``methodcaller(name)`` reaches
    a dunder of :data:`DUNDER_REACH`, or a computed name (of a module in the table, for
    ``getattr``)."""
    position = 1 if getter == "getattr" else 0
    if len(node.args) <= position:
        return False
    attribute = _literal(node.args[position])
    if attribute is not None:
        return attribute in DUNDER_REACH
    if getter != "getattr":
        return True
    base = qualify(node.args[0])
    return base is not None and is_risky_module(base)


def _names_proc_environ(node: ast.expr) -> bool:
    """Whether the path ``node`` names a process's environment (``/proc/<pid>/environ``)."""
    text = "".join(
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )
    return "/proc" in text and "environ" in text


def _worst(places: Sequence[Place]) -> Place:
    return max(places)


def _literal(node: ast.expr) -> str | None:
    """The text of a string literal, or None for anything computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _place_of_text(text: str) -> Place:
    if text == "/dev/null":
        return Place.INSIDE
    if text.startswith(("/", "\\", "~")) or _DRIVE.match(text):
        return Place.OUTSIDE
    if ".." in re.split(r"[\\/]", text):
        return Place.OUTSIDE
    return Place.INSIDE


def _shown(node: ast.AST) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= 80 else f"{text[:77]}..."
