"""Which modules are not a project's public interface: private modules and test modules.

Batch commands give the symbols of such modules no new guides and do not count them
(``generate``, ``check --missing``, ``coverage``) unless asked (``--include-private``,
``--include-tests``), except the symbols of a private module that a public module re-exports
(:func:`exported`: ``httpx/_client.py``'s ``Client``, imported by ``httpx/__init__.py``), which
are public interface wherever they are defined. Guides they already have are still checked and
kept fresh.

- A *private module* has a part of its dotted name that starts with ``_`` (PEP 8, "Public and
  internal interfaces": a leading underscore marks an internal name, and a name inside an
  internal package is internal too): ``pkg/_compat.py``, ``pkg/_impl/io.py``, and
  ``pkg/__main__.py``, the script of ``python -m pkg``. A package's ``__init__.py`` is the
  package itself (``pkg``), public when the package is.
- A module whose dotted name has a part that is not a Python identifier or is a keyword
  (``my-mod.py``, ``a,b:c.py``, ``for.py``; the language reference, "Identifiers and keywords")
  cannot be imported by name, so it is no public interface either: a private module.
- A *test module* follows pytest's discovery conventions: a file named ``test_*.py``,
  ``*_test.py`` or ``conftest.py``, or any file inside a folder (below the project root) or
  package named ``tests`` or ``test``.
"""

from __future__ import annotations

import keyword
from pathlib import Path

from howto_ls import project

__all__ = [
    "PRIVATE",
    "TEST",
    "TEST_FOLDERS",
    "exported",
    "hidden_kind",
    "module_kind",
    "public_dotted_name",
]

PRIVATE = "private module"
TEST = "test module"
TEST_FOLDERS = frozenset({"tests", "test"})


def public_dotted_name(dotted: str) -> bool:
    """Whether every part of the dotted name ``dotted`` can be imported and is public: a
    Python identifier (``str.isidentifier``), no keyword (``import pkg.for`` does not parse)
    and not starting with ``_`` (PEP 8)."""
    return all(
        part.isidentifier() and not keyword.iskeyword(part) and not part.startswith("_")
        for part in dotted.split(".")
    )


def module_kind(path: Path, root: Path) -> str | None:
    """:data:`PRIVATE` or :data:`TEST` for a module of the project at ``root`` that is not
    part of its public interface (private first when both; a module that cannot be imported by
    name, a part of it no identifier, is private), None for a public one. Reads no
    file; never raises for a path outside ``root``."""
    parts = [part for part in project.module_name(path, root).split(".") if part]
    if parts and not public_dotted_name(".".join(parts)):
        return PRIVATE
    stem = path.stem if path.name != "__init__.py" else ""
    if stem.startswith("test_") or stem.endswith("_test") or stem == "conftest":
        return TEST
    try:
        folders = path.resolve().parent.relative_to(root.resolve()).parts
    except ValueError:
        folders = ()
    if TEST_FOLDERS.intersection(folders) or TEST_FOLDERS.intersection(parts):
        return TEST
    return None


def hidden_kind(
    path: Path, root: Path, *, include_private: bool = False, include_tests: bool = False
) -> str | None:
    """:func:`module_kind`, unless the kind is asked for (``include_private``,
    ``include_tests``): None then, as for a public module."""
    kind = module_kind(path, root)
    if (kind == PRIVATE and include_private) or (kind == TEST and include_tests):
        return None
    return kind


def exported(path: Path, root: Path, qualname: str) -> bool:
    """Whether ``qualname`` (defined in the private module at ``path``) is public all the same:
    a module with no ``_`` part exposes its top-level name (:func:`project.public_import_path`:
    imported there, within ``__all__`` when there is one). False for the module itself."""
    if not qualname:
        return False
    module = project.module_name(path, root)
    where = project.public_import_path(module, qualname.split(".", 1)[0], root)
    return public_dotted_name(where)
