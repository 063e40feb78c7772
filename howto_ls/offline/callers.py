"""Who calls what: how often the project's code calls each method name."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from howto_ls.offline import index


def method_calls(path: Path) -> Mapping[str, int]:
    """Calls of each attribute name (``obj.name(...)``) in the project holding ``path``.

    Counted textually over the project's Python files (as ``generate`` finds them), comments
    and strings included but not the guides howto-ls wrote into docstrings (their examples
    would count its own writing: :func:`howto_ls.guide.blank_guide_blocks`), names
    NFKC-normalized as Python reads them (PEP 3131); read from the project index
    (:mod:`howto_ls.offline.index`), which reads each file once per version. Empty for
    projects over :data:`howto_ls.offline.index.MAX_FILES` files.
    """
    return index.index_of(path).method_calls()
