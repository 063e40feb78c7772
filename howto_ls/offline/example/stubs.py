"""Functions and classes the example defines in its setup where a parameter needs one."""

from __future__ import annotations

import ast

from howto_ls.offline.aliases import imported_names as _imported_names
from howto_ls.offline.analysis import code
from howto_ls.offline.example.annotation_text import primary_type, split_top_level
from howto_ls.offline.example.foreign import import_root, project_file_text
from howto_ls.offline.example.part import Part
from howto_ls.offline.example.reading import top_level_names
from howto_ls.offline.example.words import snake_case
from howto_ls.project import module_file


class Stubs(Part):
    """Defines functions and classes in the example's setup where a parameter needs one."""

    def callable_for(self, inner: str, name: str) -> str:
        """A function for ``Callable[[A, B], R]``: ``lambda *args: None`` when it takes anything
        and returns nothing useful, else a ``def`` in the setup taking one parameter per
        argument type (named after it when it is a class, else ``arg1``...) and returning a value
        of ``R``; its name."""
        parts = split_top_level(inner, ",") if inner else []
        if len(parts) < 2:
            return "lambda *args: None"
        arguments, result = ",".join(parts[:-1]).strip(), primary_type(parts[-1].strip())
        returned = None
        if result.rsplit(".", 1)[-1] not in {"None", "Any", "object", "NoReturn"}:
            returned = self.values.value_for_type(result, "")
        if arguments == "..." and returned is None:
            return "lambda *args: None"
        names: list[str] = []
        if arguments == "...":
            names = ["*args", "**kwargs"]
        elif arguments.startswith("[") and arguments.endswith("]"):
            for index, kind in enumerate(split_top_level(arguments[1:-1], ",")):
                if not kind.strip():
                    continue
                short = primary_type(kind.strip()).partition("[")[0].rsplit(".", 1)[-1]
                candidate = snake_case(short)
                if not short[:1].isupper() or not candidate.isidentifier() or candidate in names:
                    candidate = f"arg{index + 1}"
                names.append(candidate)
        function = snake_case(name or "callback")
        if function in {self.draft.top, self.draft.module_alias} or function in self.draft.reserved:
            function += "_function"
        function = self.draft.fresh(function)
        self.draft.setup += [
            "",
            f"def {function}({', '.join(names)}):",
            f"    return {returned}",
            "",
        ]
        return function

    def standard_app(self, kind: str, name: str) -> str:
        """A minimal WSGI (PEP 3333) or ASGI (the ASGI specification's HTTP scope) application
        answering "Hello, world", defined in the setup; its name."""
        function = self.draft.fresh(snake_case(name or "app"))
        if kind == "wsgi":
            self.draft.setup += [
                "",
                f"def {function}(environ, start_response):",
                '    start_response("200 OK", [("Content-Type", "text/plain")])',
                '    return [b"Hello, world"]',
                "",
            ]
        else:
            self.draft.setup += [
                "",
                f"async def {function}(scope, receive, send):",
                '    start = {"type": "http.response.start", "status": 200, "headers": []}',
                "    await send(start)",
                '    await send({"type": "http.response.body", "body": b"Hello, world"})',
                "",
            ]
        return function

    def example_class(self) -> str:
        """A class the example defines for a module function that takes one (``has(cls)``)
        or an instance of one: two fields with defaults, decorated with the package's own
        class decorator when its top level offers one (attrs' ``define``); its name."""
        header = "class Point:"
        if header in self.draft.setup:
            return "Point"
        package = (self.draft.symbol.module or self.draft.import_path).split(".")[0]
        root = (
            import_root(self.draft.symbol.path, self.draft.symbol.module)
            if self.draft.symbol.module
            else None
        )
        path = module_file(package, root) if root is not None else None
        text = project_file_text(path, root) if path is not None and root is not None else None
        offered = set(_imported_names(text, package, path.name)) if text and path else set()
        decorator = ["@define"] if "define" in offered | top_level_names(text or "") else []
        if decorator:
            self.draft.imports.append(f"from {package} import define")
        self.draft.setup += ["", *decorator, header, "    x: int = 1", "    y: int = 2", ""]
        return "Point"

    def async_stub(self, name: str, returns: str | None = "None") -> str:
        """An ``async def`` in the setup for a parameter the code awaits, returning ``returns``
        (an expression); its name."""
        return self._async_function(name, "*args, **kwargs", f"return {returns or 'None'}")

    def async_items(self, name: str, item: str) -> str:
        """An async generator function in the setup that yields ``item`` (an expression)
        once, for a parameter the code iterates with ``async for``; a call of it."""
        return f"{self._async_function(name, '', f'yield {item}', suffix='_items')}()"

    def _async_function(self, name: str, parameters: str, line: str, suffix: str = "_stub") -> str:
        """Define ``async def <name>(<parameters>):`` whose body is ``line``, once, in the
        setup; its name (``suffix`` added when the example already uses the name)."""
        function = snake_case(name)
        if function in {self.draft.top, self.draft.module_alias} or function in self.draft.reserved:
            function += suffix
        header = f"async def {function}({parameters}):"
        if header not in self.draft.setup:
            self.draft.setup += ["", header, f"    {line}"]
        return function

    def subclass_in_setup(self, node: ast.ClassDef, class_path: str) -> str:
        """Define ``MyName(Name)`` implementing each abstract method; its name."""
        from howto_ls.usage import abstract_methods

        name = f"My{class_path.rsplit('.', 1)[-1]}"
        lines = ["", f"class {name}({class_path}):"]
        for method in abstract_methods(node):
            prefix = "async def" if isinstance(method, ast.AsyncFunctionDef) else "def"
            lines += [f"    {prefix} {method.name}(self, *args, **kwargs):", "        return None"]
        if len(lines) == 2:
            lines.append("    pass")
        self.draft.setup += [*lines, ""]
        return name

    def shaped_class(self, node: ast.ClassDef) -> str:
        """A class the example defines with the methods of the protocol ``node`` (structural
        typing, PEP 544: no base class needed), each returning a value of its return
        annotation (None when none can be built); its name."""
        name = f"My{node.name.lstrip('_')}"
        header = f"class {name}:"
        if header in self.draft.setup:
            return name
        lines = ["", header]
        for method in node.body:
            if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            returns = code(method.returns, 200) if method.returns is not None else ""
            value = self.values.returned(returns) if returns else "None"
            prefix = "async def" if isinstance(method, ast.AsyncFunctionDef) else "def"
            if len(lines) > 2:
                lines.append("")  # a blank line between methods
            if any(isinstance(d, ast.Name) and d.id == "property" for d in method.decorator_list):
                lines.append("    @property")
                lines.append(f"    def {method.name}(self):")
            else:
                lines.append(f"    {prefix} {method.name}(self, *args, **kwargs):")
            lines.append(f"        return {value}")
        if len(lines) == 2:
            lines.append("    pass")
        self.draft.setup += [*lines, ""]
        return name
