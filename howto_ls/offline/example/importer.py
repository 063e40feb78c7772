"""How the example names a class or exception it uses, importing it from where users do."""

from __future__ import annotations

import builtins

from howto_ls.offline.aliases import imported_names as _imported_names
from howto_ls.offline.example.foreign import import_root
from howto_ls.offline.example.part import Part
from howto_ls.offline.example.reading import top_level_class_names
from howto_ls.project import public_import_path


class Importer(Part):
    """Names the classes and exceptions the example uses, adding the imports they need."""

    def local_name(self, name: str) -> str:
        """How the example names the module's class ``name``, importing it when needed."""
        if self.draft.scope is not None:
            symbol = self.draft.symbol
            root = import_root(symbol.path, symbol.module)
            module = self.draft.scope.module
            path = public_import_path(module, name, root) if root is not None else module
            self.draft.imports.append(f"from {path} import {name}")
            return name
        if self.draft.module_alias is not None:
            return f"{self.draft.module_alias}.{name}"
        if name != self.draft.top:
            self.draft.imports.append(f"from {self.import_path_of(name)} import {name}")
        return name

    def foreign_import(
        self, import_path: str, module: str, name: str, local: str | None = None
    ) -> str:
        """Import the class ``name`` of another project module (``module``, imported from
        ``import_path``); the name the example uses for it. Each name binds one thing: a class
        named like the symbol or a class of the symbol's module (click's ``parser.Option``
        building a ``core.Option``) is imported under the name the module being built uses for
        it (``local``: ``CoreOption``), else under its module's name and its own
        (``CoreOption``)."""
        symbol = self.draft.symbol
        clashes = module != symbol.module and (
            name == self.draft.top or name in top_level_class_names(self.draft.source)
        )
        if not clashes:
            self.draft.imports.append(f"from {import_path} import {name}")
            return name
        alias = local if local and local != name and local.isidentifier() else None
        if alias is None:
            alias = module.rsplit(".", 1)[-1].strip("_").capitalize() + name
        self.draft.imports.append(f"from {import_path} import {name} as {alias}")
        return alias

    def import_path_of(self, name: str) -> str:
        """The symbol's import path when it also exposes ``name``; else the defining module."""
        symbol = self.draft.symbol
        if not symbol.module or symbol.import_path in {"", symbol.module}:
            return self.draft.import_path
        root = import_root(symbol.path, symbol.module)
        if (
            root is not None
            and public_import_path(symbol.module, name, root) == self.draft.import_path
        ):
            return self.draft.import_path
        return symbol.module

    def exception_class(self, name: str) -> str:
        """How the example names the exception class ``name`` (as the code writes it),
        importing it from where the code gets it; ``Exception`` when it cannot be found."""
        if not name:
            return "Exception"
        short = name.rsplit(".", 1)[-1]
        if "." not in name and isinstance(getattr(builtins, name, None), type):
            return name
        if "." not in name and name in top_level_class_names(self.draft.here_source):
            return self.local_name(name)
        foreign = self.classes._foreign_class(name)
        if foreign is not None:
            return self.foreign_import(foreign.import_path, foreign.module, foreign.node.name)
        imported = _imported_names(
            self.draft.here_source, self.draft.here_module, self.draft.here_filename
        )
        module, imported_name = imported.get(name.split(".", 1)[0], ("", ""))
        if module and imported_name and "." not in name:
            self.draft.imports.append(f"from {module} import {imported_name}")
            return imported_name
        if module and not imported_name and name.count(".") == 1:
            self.draft.imports.append(f"from {module} import {short}")
            return short
        return "Exception"
