"""The table behind the Usage Example check (:mod:`howto_ls.example_safety`): which names do what.

Each dotted name (or ``fnmatch`` pattern) maps to a :class:`Kind`; a name matches itself and
what lies under it (``os.environ.get`` under ``os.environ``). ``posix`` and ``nt`` (the C
modules behind ``os``) are read as ``os`` (:func:`canonical`).
"""

from __future__ import annotations

import enum
import fnmatch


class Kind(enum.Enum):
    """What a call does to the machine; the value completes "`call` …"."""

    PROCESS = "starts a process"
    SIGNAL = "signals a process"
    ENVIRONMENT = "reads environment variables or its parent process"
    NETWORK = "opens a network connection"
    TERMINAL = "waits for a person at a terminal"
    FILES = "reads or writes files"
    MOVE = "moves or renames files"
    DELETE = "deletes files"
    DYNAMIC = "runs code it builds at run time or native code"


TABLE: dict[str, Kind] = {
    **dict.fromkeys(
        [
            "subprocess",
            "os.startfile",
            "pty",
            "multiprocessing",
            "webbrowser",
            "os.system",
            "os.popen",
            "os.fork",
            "os.forkpty",
            "os.exec*",
            "os.spawn*",
            "os.posix_spawn*",
            "asyncio.create_subprocess_exec",
            "asyncio.create_subprocess_shell",
            "concurrent.futures.ProcessPoolExecutor",
        ],
        Kind.PROCESS,
    ),
    **dict.fromkeys(["os.kill", "os.killpg", "signal.pthread_kill", "os.abort"], Kind.SIGNAL),
    **dict.fromkeys(
        ["os.environ", "os.environb", "os.getenv", "os.getenvb", "os.getppid"], Kind.ENVIRONMENT
    ),
    **dict.fromkeys(
        [
            "socket",
            "socketserver",
            "http.server",
            "xmlrpc.server",
            "ssl",
            "urllib.request",
            "http.client",
            "ftplib",
            "smtplib",
            "telnetlib",
            "poplib",
            "imaplib",
            "xmlrpc.client",
            "requests",
            "urllib3",
            "aiohttp",
            "asyncio.open_connection",
            "asyncio.start_server",
            "asyncio.open_unix_connection",
            "asyncio.start_unix_server",
            "httpx.Client",
            "httpx.AsyncClient",
            "httpx.get",
            "httpx.post",
            "httpx.put",
            "httpx.patch",
            "httpx.delete",
            "httpx.head",
            "httpx.options",
            "httpx.request",
            "httpx.stream",
        ],
        Kind.NETWORK,
    ),
    **dict.fromkeys(
        ["input", "breakpoint", "getpass.getpass", "pdb", "code.interact", "sys.stdin"],
        Kind.TERMINAL,
    ),
    **dict.fromkeys(
        [
            "ctypes",
            "globals",
            "locals",
            "gc.get_objects",
            "gc.get_referrers",
            "gc.get_referents",
            "sys._getframe",
            "inspect.currentframe",
            "inspect.stack",
            "pkgutil.resolve_name",
            "pydoc.locate",
            "timeit",
            "cProfile.run",
            "cProfile.runctx",
            "profile.run",
            "profile.runctx",
            "sys.modules",
            "pickle.load",
            "pickle.loads",
            "pickle.Unpickler",
            "marshal.load",
            "marshal.loads",
            "shelve",
            "runpy",
            "zipimport",
            "importlib.util",
            "importlib.machinery",
            "types.CodeType",
            "types.FunctionType",
            "code.InteractiveConsole",
            "code.InteractiveInterpreter",
            "code.compile_command",
        ],
        Kind.DYNAMIC,
    ),
    **dict.fromkeys(
        [
            "open",
            "io.FileIO",
            "linecache",
            "sqlite3.connect",
            "dbm.open",
            "tarfile.open",
            "zipfile.ZipFile",
            "shutil",
            "io.open",
            "codecs.open",
            "os.open",
            "fileinput",
            "os.listdir",
            "os.scandir",
            "os.walk",
            "os.chdir",
            "os.mkdir",
            "os.makedirs",
            "os.chmod",
            "os.truncate",
            "os.symlink",
            "os.link",
            "glob.glob",
            "glob.iglob",
            "shutil.copy",
            "shutil.copy2",
            "shutil.copyfile",
            "shutil.copytree",
        ],
        Kind.FILES,
    ),
    **dict.fromkeys(["os.rename", "os.renames", "os.replace", "shutil.move"], Kind.MOVE),
    **dict.fromkeys(
        ["os.remove", "os.unlink", "os.rmdir", "os.removedirs", "shutil.rmtree"], Kind.DELETE
    ),
}
"""Dotted name (or ``fnmatch`` pattern) -> kind; a name matches itself and what lies under it."""

_PATTERNS = tuple(key for key in TABLE if "*" in key)

FILE_METHODS = frozenset(
    {"read_text", "read_bytes", "write_text", "write_bytes", "open", "touch", "mkdir"}
    | {"iterdir", "glob", "rglob", "chmod", "symlink_to", "hardlink_to"}
)
"""``pathlib.Path`` methods that read or write the file system."""
DELETE_METHODS = frozenset({"unlink", "rmdir"})
"""``pathlib.Path`` methods that delete."""
ENVIRONMENT_WRITES = frozenset({"os.environ.update", "os.environ.__setitem__"})
"""Setting a variable for the example's own process is not reading the user's environment."""
CODE_RUNNERS = frozenset({"eval", "exec", "compile"})
IMPORTERS = frozenset({"__import__", "importlib.import_module"})
ATTRIBUTE_GETTERS = frozenset({"getattr", "operator.attrgetter", "operator.methodcaller"})
"""Calls that reach an attribute by a name given as a value."""
DUNDER_REACH = frozenset(
    {"__class__", "__base__", "__bases__", "__mro__", "__subclasses__", "__globals__"}
    | {"__code__", "__builtins__", "__dict__", "__closure__", "__func__", "__self__"}
    | {"__getattribute__", "__loader__", "__spec__", "__import__"}
    | {"f_globals", "f_locals", "f_builtins", "f_back", "tb_frame", "gi_frame", "cr_frame"}
    | {"ag_frame"}
)
"""Attributes that lead from any object to others (classes, globals, code, frames): the way
out of what an example imports by name."""
NETWORK_METHODS = frozenset(
    {"create_connection", "create_server", "create_datagram_endpoint", "sock_connect"}
    | {"create_unix_connection", "create_unix_server"}
)
"""Event loop methods that open connections (``loop.create_connection``), on any receiver."""
OBSCURING = frozenset(
    {"chr", "bytes", "bytearray", "decode", "fromhex", "unhexlify", "b64decode", "b32decode"}
    | {"b16decode", "b85decode", "a85decode", "translate"}
)
"""Calls (by their last name) that make text from numbers or encodings: a path built with them
hides where it points."""
PRINTED_DUNDERS = frozenset({"__name__", "__qualname__", "__module__", "__doc__"})
"""Read after ``__class__`` for printing (``x.__class__.__name__``): harmless."""
TEMP_MAKERS = frozenset(
    {"tempfile.mkdtemp", "tempfile.mkstemp", "tempfile.gettempdir", "tempfile.TemporaryDirectory"}
    | {"tempfile.NamedTemporaryFile", "tempfile.TemporaryFile", "tempfile.SpooledTemporaryFile"}
)
OUTSIDE_MAKERS = frozenset(
    {"pathlib.Path.home", "pathlib.PosixPath.home", "pathlib.WindowsPath.home"}
    | {"os.path.expanduser", "os.path.expandvars", "os.getenv", "os.environ.get", "os.sep"}
    | {"os.altsep", "os.path.sep", "os.path.altsep", "os.path.abspath", "os.path.realpath"}
    | {"os.getcwdb", "chr", "bytes.fromhex", "codecs.decode", "base64.b64decode"}
)
"""Calls and names whose paths point outside the working folder, or may without a trace in the
text (a separator, a character made from its code)."""
INSIDE_MAKERS = frozenset({"pathlib.Path.cwd", "os.getcwd", "os.devnull"})
PATH_BUILDERS = frozenset(
    {"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.WindowsPath"}
    | {"pathlib.PurePosixPath", "pathlib.PureWindowsPath", "os.path.join", "os.path.normpath"}
    | {"os.fspath", "str"}
)
PATH_METHODS = frozenset(
    {"joinpath", "with_name", "with_suffix", "with_stem", "resolve", "absolute", "format"}
    | {"iterdir", "glob", "rglob"}
)
BUILTINS = frozenset(
    {"open", "eval", "exec", "compile", "__import__", "getattr", "vars", "str", "chr"}
    | {"__builtins__", "input", "breakpoint", "globals", "locals", "bytes", "bytearray"}
)
"""Built-in names the check follows (when the example does not rebind them)."""


def canonical(qualified: str) -> str:
    """``builtins.open`` and ``__builtins__.open`` are ``open``; ``posix.system`` and
    ``nt.system`` are ``os.system`` (the C modules ``os`` re-exports)."""
    for prefix in ("builtins.", "__builtins__."):
        if qualified.startswith(prefix):
            return qualified.removeprefix(prefix)
    head, dot, rest = qualified.partition(".")
    if head in {"posix", "nt"}:
        return f"os{dot}{rest}"
    return qualified


def kind_of(qualified: str) -> Kind | None:
    """The kind of a dotted name by :data:`TABLE`: the name itself or the nearest table entry it
    lies under (``os.environ.get`` under ``os.environ``); None for a harmless name."""
    parts = canonical(qualified).split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        kind = TABLE.get(prefix)
        if kind is None:
            kind = next((TABLE[p] for p in _PATTERNS if fnmatch.fnmatchcase(prefix, p)), None)
        if kind is not None:
            return kind
    return None


def is_risky_module(qualified: str) -> bool:
    """Whether a table entry lies under ``qualified`` (``os``, ``subprocess``, ``builtins``,
    ``sys``)."""
    qualified = canonical(qualified)
    return qualified in {"builtins", "__builtins__", "operator"} or any(
        key == qualified or key.startswith(qualified + ".") for key in TABLE
    )


def network_package(import_path: str) -> bool:
    """Whether ``import_path`` lies in a package whose calls open connections (``httpx``): its
    own symbols may be shown doing so."""
    top = import_path.split(".", maxsplit=1)[0]
    return any(
        kind is Kind.NETWORK and key.split(".", maxsplit=1)[0] == top for key, kind in TABLE.items()
    )
