"""Types a docstring states for unannotated parameters (Sphinx, Google and NumPy styles) are
read, and the example builds the class the docstring names; built offline and run."""

from __future__ import annotations

import ast
from pathlib import Path

from howto_ls.offline.doctypes import documented_parameters, documented_type
from tests.test_example import example_for, run_example

SPHINX = """Send a request.

:param request: The :class:`PreparedRequest <PreparedRequest>` being sent.
:param url: URL for the new :class:`Request` object.
:param str name: the name.
:param timeout: how long to wait.
:type timeout: float or tuple or urllib3 Timeout object
:param resp: (optional) A :class:`~http.models.Response` to reuse.
"""

GOOGLE = """Move a point.

Args:
    point (Point): the point to move.
    steps: how far.
"""

NUMPY = """Move a point.

Parameters
----------
point : geometry.Point
    the point to move.
"""

ADAPTER = '''\
"""Adapters that send prepared requests (types stated in docstrings only)."""


class PreparedRequest:
    """A request ready to send."""

    def __init__(self) -> None:
        self.path_url = "/"


class Request:
    """A request as the user describes it: no ``path_url``."""

    def __init__(self, url="https://example.org") -> None:
        self.url = url


class Adapter:
    """Sends requests."""

    def send(self, request):
        """Send a request.

        :param request: The :class:`PreparedRequest <PreparedRequest>` being sent.
        """
        return request.path_url
'''


def test_declared_types_and_opening_class_roles_are_read() -> None:
    assert documented_type(SPHINX, "request") == "PreparedRequest"
    assert documented_type(SPHINX, "url") is None  # the role does not say what it is
    assert documented_type(SPHINX, "name") == "str"
    assert documented_type(SPHINX, "timeout") is None  # prose, not a type
    assert documented_type(SPHINX, "resp") == "http.models.Response"
    assert documented_type(GOOGLE, "point") == "Point"
    assert documented_type(GOOGLE, "steps") is None
    assert documented_type(NUMPY, "point") == "geometry.Point"
    assert documented_type("No fields at all.", "point") is None


def test_documented_parameters_in_each_style() -> None:
    assert documented_parameters(SPHINX) == ["request", "url", "name", "timeout", "resp"]
    assert documented_parameters(GOOGLE) == ["point", "steps"]
    assert documented_parameters(NUMPY) == ["point"]


def test_an_unannotated_parameter_gets_the_class_its_docstring_names(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Adapter.send", ADAPTER)
    called = {
        n.func.id
        for n in ast.walk(ast.parse(example))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    assert "PreparedRequest" in called and "Request" not in called
    assert run_example(tmp_path, example).strip() == "/"
