"""The example for each kind of symbol: function, method, property, class, module, variable."""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Sequence

from howto_ls.astutil import parse
from howto_ls.model import Parameter
from howto_ls.offline import wrappers
from howto_ls.offline.analysis import (
    FunctionNode,
    class_attributes,
    dotted,
    find_method,
    method_kind,
    parameters_of,
    tick,
)
from howto_ls.offline.example.layout import render
from howto_ls.offline.example.part import Part
from howto_ls.offline.example.reading import (
    call_parameters,
    exported_names,
    module_variables,
    top_level_names,
)
from howto_ls.offline.example.showing import showing_line
from howto_ls.offline.example.words import snake_case
from howto_ls.usage import ENUM_BASES, base_names, is_command, is_exception

_DUNDER_USE = {
    "__len__": "print(len({obj}))",
    "__repr__": "print(repr({obj}))",
    "__str__": "print(str({obj}))",
    "__bool__": "print(bool({obj}))",
    "__hash__": "print(hash({obj}))",
    "__iter__": "for item in {obj}:\n    print(item)",
    "__contains__": 'print("example" in {obj})',
    "__getitem__": 'print({obj}["example"])',
    "__setitem__": '{obj}["example"] = "value"',
    "__delitem__": 'del {obj}["example"]',
    "__eq__": "print({obj} == {obj})",
    "__ne__": "print({obj} != {obj})",
    "__lt__": "print({obj} < {obj})",
    "__le__": "print({obj} <= {obj})",
    "__gt__": "print({obj} > {obj})",
    "__ge__": "print({obj} >= {obj})",
    "__next__": "print(next({obj}))",
    "__format__": 'print(format({obj}, ""))',
    "__rich__": "print({obj}.__rich__())",
}


class Shapes(Part):
    """Writes the whole example for each kind of symbol."""

    def for_function(self, node: FunctionNode, params: Sequence[Parameter]) -> str:
        """An example that calls a function, method, class method or property."""
        qualname = self.draft.symbol.qualname
        owner = self.draft.owner_class
        kind = method_kind(node, owner is not None, bool(self.draft.parents) and owner is None)
        self.draft.imports.append(f"from {self.draft.import_path} import {self.draft.top}")
        if kind == "nested function":
            outer = self.draft.parents[0]
            if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef):
                self.draft.body.append(f"# {tick(node.name)} runs inside {tick(outer.name)}:")
                arguments = self.arguments.for_call(
                    call_parameters(outer), receiver=False, callee=outer.name, function=outer
                )
                self.calls.use_call(f"{outer.name}({arguments})", outer)
            else:
                self.draft.body.append(f"print({self.draft.top})")
            return render(self.draft)
        class_path = qualname.rsplit(".", 1)[0] if owner is not None else ""
        loop_name = "chunk" if isinstance(node, ast.AsyncFunctionDef) else "item"
        if owner is None and self.command(node):
            return render(self.draft)
        if kind in {"class method", "static method"}:
            if not self.doctest(node):
                call = (
                    f"{class_path}.{node.name}({self.arguments.for_call(params, callee=node.name)})"
                )
                self.calls.use_call(call, node, loop_name)
        elif kind == "property":
            variable = self.instances.instance(owner, class_path, node)
            self.calls.prepare_state(owner, node, variable)
            self.calls.read_property(owner, variable, node.name)
        elif kind == "method":
            self._method(node, params, owner, class_path, loop_name)
        elif not self.doctest(node) and not self.callables.decorator(node):
            self.calls.round_trip(node, params, None, "")
            replaced = wrappers.replacement(node, self.calls.parameter_scope())
            arguments = self.arguments.for_call(
                call_parameters(node),
                receiver=False,
                callee=node.name,
                by_position=replaced is not None and replaced.positional,
            )
            called: FunctionNode | None = node
            if replaced is not None and replaced.plain and isinstance(node, ast.AsyncFunctionDef):
                # a plain wrapper returns what it calls: the plain function it was given
                called = replaced.delegate
            self.calls.use_call(f"{node.name}({arguments})", called, loop_name)
            self.callables.call_result(node)
        return render(self.draft)

    def doctest(self, node: FunctionNode) -> bool:
        """Use the function's own docstring example (its ``>>>`` lines up to the first call of
        it), when those lines parse and need nothing but the module's names; else False."""
        docstring = ast.get_docstring(node) or ""
        lines: list[str] = []
        found = False
        raw_lines = [raw.strip() for raw in docstring.splitlines()]
        for index, text in enumerate(raw_lines):
            if text.startswith("... "):
                return False  # continuation lines: keep to simple examples
            if not text.startswith(">>> "):
                if lines and not text:
                    lines = []  # a new example starts after a blank line
                continue
            lines.append(text[4:])
            if re.search(rf"\b{re.escape(node.name)}\(", text):
                following = raw_lines[index + 1] if index + 1 < len(raw_lines) else ""
                if following.startswith("Traceback"):
                    lines = []  # this one shows an error: look for one that works
                    continue
                found = True
                break
        if not found:
            return False
        snippet = "\n".join(lines)
        try:
            tree = parse(snippet)
        except SyntaxError:
            return False
        assigned = {
            n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        assigned |= {
            (a.asname or a.name).split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.Import | ast.ImportFrom)
            for a in n.names
        }
        loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - assigned
        known = set(dir(builtins))
        module_names = top_level_names(self.draft.source)
        for name in sorted(loaded - known):
            if name not in module_names:
                return False
            if name != self.draft.top:
                self.draft.imports.append(
                    f"from {self.importer.import_path_of(name)} import {name}"
                )
        if any(isinstance(n, ast.Yield | ast.Await | ast.Return) for n in ast.walk(tree)):
            return False
        *before, last = tree.body
        self.draft.body += [ast.unparse(statement) for statement in before]
        if isinstance(last, ast.Expr):
            self.draft.body.append(f"print({ast.unparse(last.value)})")
        else:
            self.draft.body.append(ast.unparse(last))
        return True

    def command(self, node: FunctionNode) -> bool:
        """A click/typer command run through its test runner; False for anything else."""
        if not is_command(node):
            return False
        receiver = ""
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if isinstance(target, ast.Attribute):
                receiver = dotted(target.value) or ""
                break
        typer = re.search(r"^\s*(import typer|from typer\b)", self.draft.source, re.MULTILINE)
        if typer and receiver and receiver != "typer":
            target_name = receiver.split(".")[0]
            self.draft.imports += [
                "from typer.testing import CliRunner",
                f"from {self.importer.import_path_of(target_name)} import {target_name}",
            ]
        else:
            target_name = node.name
            self.draft.imports.append("from click.testing import CliRunner")
        self.draft.body += [
            "runner = CliRunner()",
            f'result = runner.invoke({target_name}, ["--help"])',
            "print(result.output)",
        ]
        return True

    def _method(
        self,
        node: FunctionNode,
        params: Sequence[Parameter],
        owner: ast.ClassDef | None,
        class_path: str,
        loop_name: str,
    ) -> None:
        name = node.name
        owner_name = class_path.rsplit(".", 1)[-1]
        if name in {"__init__", "__new__"}:
            variable = snake_case(class_path.rsplit(".", 1)[-1])
            self.draft.body += [
                f"{variable} = {class_path}({self.arguments.for_call(params, callee=owner_name)})",
                self.shown(owner, variable),
            ]
            return
        if name in {"__enter__", "__exit__", "__aenter__", "__aexit__"}:
            args = self.arguments.for_call(self.classes.constructor(owner), callee=owner_name)
            variable = snake_case(class_path.rsplit(".", 1)[-1])
            if name.startswith("__a"):
                self.draft.needs_async = True
                self.draft.body += [
                    f"async with {class_path}({args}) as {variable}:",
                    f"    print({variable})",
                ]
            else:
                self.draft.body += [
                    f"with {class_path}({args}) as {variable}:",
                    f"    print({variable})",
                ]
            return
        if not name.startswith("__") and self.doctest(node):
            return
        variable = self.instances.instance(owner, class_path, node)
        stand_in = self.draft.built_class
        if stand_in is not None and stand_in is not owner:
            # a concrete subclass stands in for the class: its version of the method runs
            override = find_method(stand_in, name)
            if override is not None:
                node, params = override, parameters_of(override)
        self.calls.prepare_state(owner, node, variable)
        self.calls.round_trip(node, params, owner, f"{variable}.")
        if owner is not None:
            self.calls.produced(node, params, owner, variable)
        if name == "__call__":
            arguments = self.arguments.for_call(params, callee=name, function=node)
            self.calls.use_call(f"{variable}({arguments})", node, loop_name)
        elif name in {"__aiter__", "__anext__"}:
            self.draft.needs_async = True
            self.draft.body += [f"async for {loop_name} in {variable}:", f"    print({loop_name})"]
        elif name in _DUNDER_USE:
            self.draft.body += _DUNDER_USE[name].format(obj=variable).splitlines()
        else:
            call = (
                f"{variable}.{name}({self.arguments.for_call(params, callee=name, function=node)})"
            )
            self.calls.use_call(call, node, loop_name)
            self.callables.call_result(node)
            if self.draft.body and self.draft.body[-1].strip() == call:
                # it returned nothing: show what it did to the object
                shown = self.draft.built_class or owner
                line = (
                    showing_line(shown, variable, self.classes.inherited_method, node)
                    if shown is not None
                    else None
                )
                if line is not None:
                    indent = self.draft.body[-1][: -len(self.draft.body[-1].lstrip())]
                    self.draft.body.append(f"{indent}{line}")

    def shown(self, node: ast.ClassDef | None, variable: str) -> str:
        """The statement that shows ``variable``, just built from ``node`` (or the class that
        stood in for it): the object itself when its class gives it a readable text, else a
        property or an attribute its constructor set (:mod:`.showing`)."""
        built = self.draft.built_class or node
        line = (
            showing_line(built, variable, self.classes.inherited_method)
            if built is not None
            else None
        )
        return line or f"print({variable})"

    def for_class(self, node: ast.ClassDef, main: FunctionNode | None) -> str:
        """An example that builds the class and calls its main method."""
        qualname = self.draft.symbol.qualname
        self.draft.imports.append(f"from {self.draft.import_path} import {self.draft.top}")
        bases = {(dotted(b) or "").rsplit(".", 1)[-1] for b in node.bases}
        if bases & ENUM_BASES:
            members = [name for name, _ in class_attributes(node) if not name.startswith("_")]
            if members:
                self.draft.body.append(f"print({qualname}.{members[0]})")
            self.draft.body += [
                f"for member in {qualname}:",
                "    print(member.name, member.value)",
            ]
            return render(self.draft)
        if is_exception(node.name, bases):
            params = self.classes.constructor(node)  # with ``self``: empty when Exception's is used
            args = self.arguments.for_call(params, callee=node.name) if params else '"example"'
            self.draft.body += [
                "try:",
                f"    raise {qualname}({args})",
                f"except {qualname} as error:",
                "    print(error)",
            ]
            return render(self.draft)
        if main is None or main.name in {"__init__", "__new__"}:
            variable = self.instances.instance(node, qualname)
            self.draft.body.append(self.shown(node, variable))
            return render(self.draft)
        params = parameters_of(main)
        kind = method_kind(main, True, False)
        loop_name = "chunk" if isinstance(main, ast.AsyncFunctionDef) else "item"
        if kind in {"class method", "static method"}:
            call = f"{qualname}.{main.name}({self.arguments.for_call(params, callee=main.name)})"
            self.calls.use_call(call, main, loop_name)
        elif kind == "property":
            variable = self.instances.instance(node, qualname, main)
            self.calls.prepare_state(node, main, variable)
            self.calls.read_property(node, variable, main.name)
        else:
            self._method(main, params, node, qualname, loop_name)
        return render(self.draft)

    def for_type_checking(self, node: ast.AST | None) -> str:
        """An example for a name that exists only for type checkers (``node``, its definition
        under ``if TYPE_CHECKING:``): imported there, annotating a function, and that function
        called with an object of the shape it describes (a class implementing a protocol's
        methods, or a value of what an alias stands for)."""
        top = self.draft.top
        self.draft.imports.append("from typing import TYPE_CHECKING")
        self.draft.setup += [
            "if TYPE_CHECKING:",
            f"    from {self.draft.symbol.module} import {top}",
            "",
        ]
        if isinstance(node, ast.ClassDef):
            runtime = f"{self.stubs.shaped_class(node)}()"
        else:
            runtime = self.values.value(Parameter("value", top))
        function = f"use_{snake_case(top)}"
        self.draft.setup += ["", f"def {function}(value: {top}) -> {top}:", "    return value", ""]
        self.draft.body.append(f"print({function}({runtime}))")
        return "from __future__ import annotations\n\n" + render(self.draft)

    def for_variable(self) -> str:
        """An example that imports the variable (or its class) and prints it."""
        self.draft.imports.append(f"from {self.draft.import_path} import {self.draft.top}")
        self.draft.body.append(f"print({self.draft.symbol.qualname})")
        return render(self.draft)

    def for_module(self, tree: ast.Module) -> str:
        """An example that imports the module and calls its first public function."""
        path = self.draft.import_path
        alias = path.rsplit(".", 1)[-1]
        self.draft.module_alias = alias
        if "." in path:
            self.draft.imports.append(f"from {path.rsplit('.', 1)[0]} import {alias}")
        else:
            self.draft.imports.append(f"import {path}")
        functions = [
            n
            for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and not n.name.startswith("_")
        ]
        classes = [
            n for n in tree.body if isinstance(n, ast.ClassDef) and not n.name.startswith("_")
        ]
        if functions:
            main = next((f for f in functions if f.name == "main"), functions[0])
            arguments = self.arguments.for_call(
                call_parameters(main), receiver=False, callee=main.name, function=main
            )
            call = f"{alias}.{main.name}({arguments})"
            self.calls.use_call(call, main)
        elif classes:
            # an exception built bare prints an empty line: another class shows more
            plain = [n for n in classes if not is_exception(n.name, base_names(n))]
            chosen = (plain or classes)[0]
            variable = self.instances.instance(chosen, f"{alias}.{chosen.name}", None, '"example"')
            self.draft.body.append(self.shown(chosen, variable))
        else:
            exported = exported_names(tree)
            variables = module_variables(tree)
            if exported:
                self.draft.body += [f"print({alias}.{name})" for name in exported[:3]]
            elif variables:
                # the variables themselves: a package may bind the module's name to one of
                # them (``requests.__version__`` is a string once ``requests`` is imported)
                self.draft.imports[-1] = f"from {path} import {', '.join(variables[:3])}"
                self.draft.body += [f"print({name})" for name in variables[:3]]
            else:
                self.draft.body.append(f"print({alias}.__name__)")
        return render(self.draft)
