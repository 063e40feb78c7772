"""Classes whose constructor leaves an empty shell that another class fills in and returns are
built through that class, as the project builds them; each example is built offline and run."""

from __future__ import annotations

import ast
from pathlib import Path

from howto_ls.offline.analysis import parse_module
from howto_ls.offline.makers import empty_shell, maker_of
from tests.test_example import example_for, run_example

REQUESTS = '''\
"""Requests as users describe them, and the prepared form a transport sends."""


class Request:
    """What the user asks for."""

    def __init__(self, method: str = "GET", url: str = "https://example.org/") -> None:
        self.method = method
        self.url = url

    def prepare(self) -> "PreparedRequest":
        """The prepared form of this request."""
        p = PreparedRequest()
        p.prepare(method=self.method, url=self.url)
        return p


class PreparedRequest:
    """Made by ``Request.prepare``; empty when built directly."""

    def __init__(self) -> None:
        self.method = None
        self.url = None
        self.headers = None

    def prepare(self, method: str, url: str) -> None:
        self.method = method.upper()
        self.url = url
        self.headers = {"Host": url.split("/")[2]}

    def copy(self) -> "PreparedRequest":
        p = PreparedRequest()
        p.method, p.url, p.headers = self.method, self.url, dict(self.headers)
        return p

    def host(self) -> str:
        """The host the request goes to."""
        return self.headers["Host"]


def send(request: PreparedRequest) -> str:
    """Send a prepared request: its method and host."""
    return f"{request.method} {request.headers['Host']}"
'''


def test_the_documented_object_is_made_by_its_maker(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "PreparedRequest.host", REQUESTS)
    assert ").prepare()" in example and "PreparedRequest()" not in example
    assert run_example(tmp_path, example).strip().startswith("example.")  # a host, not None


def test_an_argument_is_made_by_its_maker(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "send", REQUESTS)
    assert "Request(" in example and ").prepare()" in example
    assert run_example(tmp_path, example).strip().startswith("GET example.")


def test_shells_and_makers_are_recognised() -> None:
    tree = parse_module(REQUESTS)
    assert tree is not None
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    assert empty_shell(classes["PreparedRequest"])
    assert not empty_shell(classes["Request"])  # it takes what it holds
    found = maker_of(tree, classes["PreparedRequest"])
    assert found is not None
    assert (found[0].name, found[1].name) == ("Request", "prepare")  # not its own copy()
    assert maker_of(tree, classes["Request"]) is None
