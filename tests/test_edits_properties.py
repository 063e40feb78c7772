"""Property tests: guides inserted into real code from installed packages keep every invariant."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from howto_ls.astutil import iter_definitions
from howto_ls.edits import (
    apply_edits,
    check_code_unchanged,
    docstring_edit,
    docstring_text,
    plan_docstrings,
    read_docstring_guide,
)
from howto_ls.errors import UnsafeEditError
from howto_ls.guide import HEADING, HEADING_RULE

MODULES = (
    "httpx._auth",
    "httpx._config",
    "httpx._exceptions",
    "httpx._utils",
    "jedi.api.environment",
    "jedi.cache",
    "pygls.workspace.text_document",
    "pygls.uris",
    "pygls.progress",
    "json.decoder",
    "json.encoder",
    "textwrap",
    "shlex",
    "string",
    "fnmatch",
    "graphlib",
    "queue",
)
MAX_LINES = 600  # keeps each example fast; the point is variety of real code, not size


def _targets() -> list[tuple[str, str]]:
    """``(path, qualname)`` for the module, its functions/classes and module variables."""
    found: list[tuple[str, str]] = []
    for module in MODULES:
        spec = importlib.util.find_spec(module)
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            continue
        source = Path(spec.origin).read_text(encoding="utf-8")
        if source.count("\n") > MAX_LINES:
            continue
        tree = ast.parse(source)
        found.append((spec.origin, ""))
        found += [(spec.origin, name) for name, _ in iter_definitions(tree)]
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                found.append((spec.origin, stmt.targets[0].id))
    return found


TARGETS = _targets()
SOURCES = {path: Path(path).read_text(encoding="utf-8") for path, _ in TARGETS}

AWKWARD = ['"""', "'''", '"', "'", "\\", "\\N{BULLET}", "\t", "\n", "\r\n", "é", "𝔘", "\x00"]
LOOKALIKES = [f"\n{HEADING}\n{HEADING_RULE}\n", "\n.. howto-ls: fingerprint=abc\n", "\n    x"]
awkward = st.sampled_from(AWKWARD) | st.sampled_from(LOOKALIKES)
guide_body = st.lists(st.text(max_size=12) | awkward, max_size=12).map("".join)
guides = guide_body.map(lambda body: f"{HEADING}\n{HEADING_RULE}\n\n{body}")
fingerprints = st.text(alphabet="0123456789abcdef", min_size=12, max_size=12)


def test_enough_real_targets() -> None:
    assert len(TARGETS) > 250
    assert len({path for path, _ in TARGETS}) >= 10


def _insert(source: str, qualname: str, guide: str, fingerprint: str) -> str | None:
    try:
        edit = docstring_edit(source, qualname, guide, fingerprint)
    except UnsafeEditError:
        return None  # refused: the file stays byte-identical, which is allowed
    assert edit is not None
    return apply_edits(source, [edit])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(TARGETS), guide=guides, fingerprint=fingerprints)
def test_insertion_keeps_code_places_guide_and_is_idempotent(
    target: tuple[str, str], guide: str, fingerprint: str
) -> None:
    path, qualname = target
    source = SOURCES[path]
    new = _insert(source, qualname, guide, fingerprint)
    assume(new is not None)  # a refusal leaves the file byte-identical; see test_refusals_are_rare
    assert new is not None
    check_code_unchanged(source, new, qualname)
    expected = docstring_text(guide, fingerprint)
    found = read_docstring_guide(new, qualname)
    assert found is not None
    assert found.fingerprint == fingerprint
    assert found.markdown == expected.rsplit("\n\n", 1)[0]
    assert docstring_edit(new, qualname, guide, fingerprint) is None


@settings(max_examples=30, deadline=None)
@given(
    target=st.sampled_from(TARGETS),
    first=guides,
    second=guides,
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    tabs=st.booleans(),
)
def test_regenerating_changes_only_the_guide(
    target: tuple[str, str], first: str, second: str, newline: str, tabs: bool
) -> None:
    path, qualname = target
    source = _tabify(SOURCES[path]) if tabs else SOURCES[path]
    source = source.replace("\n", newline)
    once = _insert(source, qualname, first, "a" * 12)
    if once is None:
        return
    twice = _insert(once, qualname, second, "b" * 12)
    assert twice is not None
    check_code_unchanged(source, twice, qualname)
    found = read_docstring_guide(twice, qualname)
    assert found is not None
    assert found.markdown == docstring_text(second, "b").rsplit("\n\n", 1)[0]
    if tabs:  # the guide is indented with tabs like the code around it, never with spaces
        assert re.search(r"(?:^|[\r\n])[\t]*" + HEADING_RULE, twice)
        assert not re.search(r"(?:^|[\r\n])[\t]* +" + HEADING_RULE, twice)
    if newline != "\n":
        assert "\n" not in twice.replace("\r\n", "") or newline == "\r\n"
        assert twice.count("\r\n" if newline == "\r\n" else "\r") >= source.count(newline)


def _tabify(source: str) -> str:
    """``source`` indented with tabs instead of groups of four spaces."""
    return re.sub(r"^(?:    )+", lambda m: "\t" * (len(m.group()) // 4), source, flags=re.M)


def test_tabified_sources_still_parse() -> None:
    for source in SOURCES.values():
        ast.parse(_tabify(source))


def test_refusals_are_rare() -> None:
    guide = f"{HEADING}\n{HEADING_RULE}\n\nSends it with \"\"\" and ''' and \\."
    sample = [target for target in TARGETS if target[0].endswith(("_auth.py", "shlex.py"))]
    refused = [t for t in sample if _insert(SOURCES[t[0]], t[1], guide, "f" * 12) is None]
    assert len(sample) > 30
    assert refused == []


BY_FILE = {path: [name for p, name in TARGETS if p == path] for path in SOURCES}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(), path=st.sampled_from(sorted(BY_FILE)), newline=st.sampled_from(["\n", "\r\n"])
)
def test_a_batch_equals_its_single_edits_applied_one_by_one(
    data: st.DataObject, path: str, newline: str
) -> None:
    source = SOURCES[path].replace("\n", newline)
    names = data.draw(st.lists(st.sampled_from(BY_FILE[path]), min_size=1, max_size=8, unique=True))
    items = [(name, data.draw(guides), data.draw(fingerprints)) for name in names]
    plan = plan_docstrings(source, items)
    batched = apply_edits(source, plan.edits)
    check_code_unchanged(source, batched, path)

    one_by_one = source
    refused = set()
    for name, guide, fingerprint in items:
        try:
            edit = docstring_edit(one_by_one, name, guide, fingerprint)
        except UnsafeEditError:
            refused.add(name)
            continue
        if edit is not None:
            one_by_one = apply_edits(one_by_one, [edit])
    assert set(plan.failures) == refused
    assert batched == one_by_one
    for name, guide, fingerprint in items:
        if name not in refused:
            found = read_docstring_guide(batched, name)
            assert found is not None and found.fingerprint == fingerprint
            assert found.markdown == docstring_text(guide, fingerprint).rsplit("\n\n", 1)[0]
