"""Classes of other modules: the project's (following re-exports) or an installed library's."""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from howto_ls.offline.aliases import imported_names as _imported_names
from howto_ls.offline.analysis import top_level_class
from howto_ls.offline.index import file_text
from howto_ls.offline.installed import installed_module_file
from howto_ls.project import lies_under, module_file, public_import_path


@dataclass(frozen=True)
class ForeignClass:
    """A class defined in another module (the project's or an installed library's), as
    :func:`find_class` gives it: its definition, that module's text and name, its file name,
    the public module users import it from, and the folder its modules are imported from."""

    node: ast.ClassDef
    source: str
    import_path: str
    module: str
    filename: str
    root: Path | None = None  # the folder its modules are found in (a project's, a library's)


def project_file_text(path: Path, root: Path) -> str | None:
    """The text of the file ``path`` when it lies under the folder ``root`` (links resolved);
    None when it lies elsewhere or cannot be read. Read once per file version (modification
    time and size)."""
    if not lies_under(path, root):
        return None
    return file_text(path)


def find_class(module: str, name: str, root: Path, depth: int) -> ForeignClass | None:
    """The class ``name`` of the dotted module ``module`` found under the folder ``root``
    (following re-exports two deep; ``depth`` counts those followed so far, 0 for a first
    call), or of a library installed for the project (:mod:`howto_ls.offline.installed`),
    read from its source; None when neither defines it."""
    if depth > 2:
        return None
    path = module_file(module, root)
    source = project_file_text(path, root) if path is not None else None
    if path is None or source is None:
        installed = installed_module_file(module, root)
        if installed is None:
            return None
        path, root = installed
        source = file_text(path)
        if source is None:
            return None
    node = top_level_class(source, name)
    if node is not None:
        import_path = public_import_path(module, name, root)
        return ForeignClass(node, source, import_path, module, path.name, root)
    target = _imported_names(source, module, path.name).get(name)
    if target is None:
        return None
    source_module, imported = target
    if not imported:
        return None
    return find_class(source_module, imported, root, depth + 1)


def import_root(path: Path, module: str) -> Path | None:
    """The folder the dotted module ``module`` is imported from (the ``sys.path`` entry it
    lies under) when its file ``path`` lies where the name says (``pkg/mod.py`` or
    ``pkg/mod/__init__.py``); None otherwise."""
    parts = module.split(".")
    packages = parts if path.name == "__init__.py" else parts[:-1]
    if path.name != "__init__.py" and path.stem != parts[-1]:
        return None
    folder = path.parent
    for name in reversed(packages):
        if folder.name != name:
            return None
        folder = folder.parent
    return folder


@functools.lru_cache(maxsize=16)
def package_classes(root: Path, package: str) -> tuple[tuple[str, str], ...]:
    """(dotted module, class name) of the top-level classes in the modules of the package
    ``package`` under the folder ``root``, private subpackages and modules left out (at most
    400 files read; cached for the session)."""
    folder = root / package
    found: list[tuple[str, str]] = []
    files = sorted(folder.rglob("*.py"))[:400] if folder.is_dir() else []
    for path in files:
        relative = path.relative_to(root).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        if any(part.startswith("_") and part != "__init__" for part in parts[1:]):
            continue
        text = project_file_text(path, root)
        for name in re.findall(r"^class ([A-Za-z]\w*)", text or "", re.MULTILINE):
            found.append((".".join(parts), name))
    return tuple(found)
