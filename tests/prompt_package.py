"""A small package on disk shaped like the retry and plugin libraries whose prompts lied:
an abstract base with concrete subclasses, an entered object whose ``__enter__`` returns None,
decorators, a factory, markers called as decorators, and a plugin manager reached through its
API."""

from __future__ import annotations

from pathlib import Path

from howto_ls.model import Symbol
from howto_ls.offline import index
from howto_ls.symbols import symbol_named

INIT = '''\
"""Retry calls and manage plugins."""

from retrier._core import AsyncRetrying, AttemptManager, BaseRetrying, Retrying, make_adder, retry
from retrier._hooks import HookCaller, HookimplMarker, HookspecMarker, PluginManager

__all__ = [
    "AsyncRetrying",
    "AttemptManager",
    "BaseRetrying",
    "HookCaller",
    "HookimplMarker",
    "HookspecMarker",
    "PluginManager",
    "Retrying",
    "make_adder",
    "retry",
]
'''

CORE = '''\
"""Retrying."""

from __future__ import annotations

import abc


class AttemptManager:
    """One attempt, entered by the retrying loop."""

    def __init__(self, number: int) -> None:
        self.number = number

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


class BaseRetrying(abc.ABC):
    """Retry a call a number of times."""

    def __init__(self, attempts: int = 3, wait: float = 0.0) -> None:
        self.attempts = attempts
        self.wait = wait

    @abc.abstractmethod
    def __call__(self, fn, *args, **kwargs):
        """Call ``fn`` until it succeeds."""

    def statistics(self) -> dict[str, int]:
        """How many attempts are allowed."""
        return {"attempts": self.attempts}


class Retrying(BaseRetrying):
    """Retry a plain call."""

    def __call__(self, fn, *args, **kwargs):
        return fn(*args, **kwargs)


class AsyncRetrying(BaseRetrying):
    """Retry a coroutine function."""

    async def __call__(self, fn, *args, **kwargs):
        return await fn(*args, **kwargs)


def retry(*dargs, **dkw):
    """Retry the decorated function."""

    def wrap(f):
        def wrapped(*args, **kwargs):
            return Retrying(**dkw)(f, *args, **kwargs)

        return wrapped

    return wrap


def make_adder(n: int):
    """A function adding ``n``."""
    return lambda x: x + n


def helper() -> int:
    """Used inside the package only.

    :meta private:
    """
    return 1
'''

HOOKS = '''\
"""Plugins."""

from __future__ import annotations


class HookspecMarker:
    """Marks functions as hook specifications."""

    def __init__(self, project_name: str) -> None:
        self.project_name = project_name

    def __call__(self, function=None, firstresult: bool = False, historic: bool = False):
        def setattr_hookspec_opts(func):
            setattr(func, self.project_name + "_spec", {"historic": historic})
            return func

        if function is not None:
            return setattr_hookspec_opts(function)
        return setattr_hookspec_opts


class HookimplMarker:
    """Marks functions as hook implementations."""

    def __init__(self, project_name: str) -> None:
        self.project_name = project_name

    def __call__(self, function=None, tryfirst: bool = False):
        def setattr_hookimpl_opts(func):
            setattr(func, self.project_name + "_impl", {"tryfirst": tryfirst})
            return func

        if function is not None:
            return setattr_hookimpl_opts(function)
        return setattr_hookimpl_opts


class HookCaller:
    """Calls the implementations of one hook."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls: list[dict[str, object]] = []

    def call_historic(self, kwargs: dict[str, object] | None = None) -> None:
        """Call the hook now and for plugins registered later."""
        self.calls.append(kwargs or {})


class PluginManager:
    """Registers plugins whose hooks are marked with :class:`HookimplMarker`."""

    def __init__(self, project_name: str) -> None:
        self.project_name = project_name
        self.plugins: list[object] = []

    def register(self, plugin: object, name: str | None = None) -> str:
        """Register ``plugin`` and return its name."""
        self.plugins.append(plugin)
        return name or repr(plugin)
'''


def write_package(root: Path) -> Path:
    """The package under ``root`` (a project with a ``pyproject.toml``); its folder."""
    package = root / "retrier"
    package.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'retrier'\n", encoding="utf-8")
    (package / "__init__.py").write_text(INIT, encoding="utf-8")
    (package / "_core.py").write_text(CORE, encoding="utf-8")
    (package / "_hooks.py").write_text(HOOKS, encoding="utf-8")
    index.reset()
    return package


def package_symbol(root: Path, module: str, qualname: str) -> tuple[Symbol, str]:
    """The symbol ``qualname`` of ``retrier.<module>`` and its module's text."""
    path = write_package(root) / f"{module}.py"
    source = path.read_text(encoding="utf-8")
    return symbol_named(source, path, qualname, root), source
