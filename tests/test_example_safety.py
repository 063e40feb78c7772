"""What a model's Usage Example would do to the machine: refused beyond what its symbol does."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import jedi
import pygls
import pytest

from howto_ls.checked import check_answer
from howto_ls.example_safety import Kind, kind_of, kinds_in, safety_problems
from howto_ls.model import GuideRequest, Symbol
from howto_ls.offline.writer import write_guide
from howto_ls.symbols import list_symbols, symbol_named
from howto_ls.testing.samples import GOOD_GUIDE, total_request

PLAIN = '''\
def total(prices: list[float]) -> float:
    """Sum the prices."""
    return sum(prices)
'''

RUNNER = '''\
from subprocess import run as launch


def build(target: str) -> int:
    """Run make for a target."""
    return launch(["make", target]).returncode
'''

READER = '''\
import os


def home_folder() -> str:
    """The user's home folder."""
    return os.environ.get("HOME", "/")
'''

WRITER = '''\
import shutil
from pathlib import Path


def save(path: Path, text: str) -> None:
    """Write text to a file."""
    path.write_text(text, encoding="utf-8")
'''

CLEANER = '''\
import shutil


def clean(folder: str) -> None:
    """Delete a build folder."""
    shutil.rmtree(folder)
'''


def symbol_in(tmp_path: Path, source: str, qualname: str) -> tuple[Symbol, str]:
    path = tmp_path / "tool.py"
    path.write_text(source, encoding="utf-8")
    return symbol_named(source, path, qualname, tmp_path), source


@pytest.mark.parametrize(
    ("example", "line", "shown", "says"),
    [
        ("import os\nos.system('id')", 2, "os.system('id')", "starts a process"),
        ("from os import system as s\ns('id')", 2, "s('id')", "starts a process"),
        ("import os\ngetattr(os, 'system')('id')", 2, "getattr(os, 'system')('id')", "process"),
        ("import os\ngetattr(os, 'sys' + 'tem')('id')", 2, "getattr(os, 'sys' + 'tem')", "code"),
        ("from os import *\nsystem('id')", 2, "system('id')", "starts a process"),
        ("import subprocess as sp\n\nsp.run(['ls'])", 3, "sp.run(['ls'])", "starts a process"),
        ("import pty\npty.spawn('sh')", 2, "pty.spawn('sh')", "starts a process"),
        ("import os\nos.execv('/bin/sh', ['sh'])", 2, "os.execv(", "starts a process"),
        ("import os\nkey = os.environ['HOWTO_API_KEY']", 2, "os.environ", "environment"),
        ("import os\nprint(os.getenv('HOME'))", 2, "os.getenv('HOME')", "environment"),
        ("import socket\nsocket.create_connection(('x', 80))", 2, "socket.create_", "network"),
        ("from urllib.request import urlopen\nurlopen('http://x')", 2, "urlopen(", "network"),
        ("import http.client\nhttp.client.HTTPConnection('x')", 2, "http.client", "network"),
        ("print(open('/etc/passwd').read())", 1, "open('/etc/passwd')", "outside"),
        ("print(open('../secret.txt').read())", 1, "open('../secret.txt')", "outside"),
        (
            "from pathlib import Path\n(Path.home() / 'PWNED').write_text('x')",
            2,
            "(Path.home() / 'PWNED').write_text('x')",
            "outside",
        ),
        (
            "import os\nopen(os.path.expanduser('~/.ssh/id_ed25519')).read()",
            2,
            "open(os.path.expanduser(",
            "outside",
        ),
        ("import os\nos.remove('setup.py')", 2, "os.remove('setup.py')", "deletes files"),
        ("import shutil\nshutil.rmtree('.')", 2, "shutil.rmtree('.')", "deletes files"),
        ("from pathlib import Path\nPath('a.py').unlink()", 2, "Path('a.py').unlink()", "deletes"),
        ("code = str(1)\nexec(code)", 2, "exec(code)", "runs code"),
        ("exec(\"import os; os.system('id')\")", 1, "exec(", "starts a process"),
        ("import importlib\nimportlib.import_module('o' + 's')", 2, "import_module(", "runs code"),
        ("m = __import__('subprocess')\nm.call('id')", 2, "m.call('id')", "starts a process"),
        ("__builtins__.__dict__['ev' + 'al']('1')", 1, "__builtins__", "runs code"),
        ("import ctypes\nctypes.CDLL(None)", 2, "ctypes.CDLL(None)", "native code"),
    ],
)
def test_a_hostile_example_is_refused_naming_its_line_and_call(
    tmp_path: Path, example: str, line: int, shown: str, says: str
) -> None:
    symbol, source = symbol_in(tmp_path, PLAIN, "total")
    problems = safety_problems(f"from tool import total\n{example}\n", symbol, source)
    assert problems, example
    assert problems[0].startswith(f"Usage Example line {line + 1}: `")
    assert shown in problems[0]
    assert says in problems[0]


@pytest.mark.parametrize(
    "example",
    [
        "print(total([1.0, 2.0]))",
        "import os\nos.environ['SHOP_REGION'] = 'EU'\nprint(total([1.0]))",
        "from pathlib import Path\nPath('data.txt').write_text('1.0')\n"
        "print(open('data.txt').read())",
        "import tempfile\nfrom pathlib import Path\n\n"
        "with tempfile.TemporaryDirectory() as folder:\n"
        "    (Path(folder) / 'prices.txt').write_text('1.0')",
        "text = 'a/b'.replace('/', '.')\nprint(eval('1 + 1'), text)",
        "import json\nprint(json.dumps({'total': total([1.0])}))",
    ],
)
def test_an_example_that_only_shows_the_symbol_passes(tmp_path: Path, example: str) -> None:
    symbol, source = symbol_in(tmp_path, PLAIN, "total")
    assert safety_problems(f"from tool import total\n{example}\n", symbol, source) == []


@pytest.mark.parametrize(
    ("example", "says"),
    [
        ("import sys\nsys.modules['os'].system('id')", "starts a process"),
        ("import sys\nprint(sys.modules['posix'])", "runs code"),
        ("import posix\nposix.system('id')", "starts a process"),
        ("from nt import system\nsystem('id')", "starts a process"),
        ("import builtins\nbuiltins.exec('import os')", "runs code"),
        ("import builtins\nbuiltins.eval('1 + 1')", "runs code"),
        ("import builtins\nbuiltins.__import__('json')", "runs code"),
        ("f = exec\nf('import os')", "runs code"),
        ("run = eval\nprint(run('1'))", "runs code"),
        ("print(list(map(eval, ['1'])))", "runs code"),
        ("import operator, os\noperator.attrgetter('system')(os)('id')", "starts a process"),
        ("import operator, os\noperator.methodcaller('system', 'id')(os)", "starts a process"),
        ("import operator, os\noperator.attrgetter('sys' + 'tem')(os)", "runs code"),
        ("import os\nvars(os)['system']('id')", "runs code"),
        ("import os\nos.__dict__['system']('id')", "runs code"),
    ],
)
def test_modules_reached_as_objects_are_read_as_their_names(
    tmp_path: Path, example: str, says: str
) -> None:
    symbol, source = symbol_in(tmp_path, PLAIN, "total")
    problems = safety_problems(f"from tool import total\n{example}\n", symbol, source)
    assert problems and says in problems[0], (example, problems)


@pytest.mark.parametrize(
    "example",
    [
        "import os\n\n\ndef run(m):\n    m.system('id')\n\n\nrun(os)",
        "import importlib\nm = importlib\nm.import_module('o' + 's')",
        "import sys\nprint(sys)",
    ],
)
def test_a_module_handed_on_whole_is_refused(tmp_path: Path, example: str) -> None:
    symbol, source = symbol_in(tmp_path, PLAIN, "total")
    problems = safety_problems(f"from tool import total\n{example}\n", symbol, source)
    assert problems and "runs code" in problems[0], (example, problems)


@pytest.mark.parametrize(
    ("example", "refused"),
    [
        ("from pathlib import Path\nPath('m.py').write_text('import os\\nos.system(1)')", True),
        ("from pathlib import Path\nPath('m.py').write_text(str(1))", True),
        ("with open('sitecustomize.py', 'w') as f:\n    f.write('x')", True),
        ("import os\nopen(os.path.join('lib', 'x.pth'), mode='a')", True),
        ("from pathlib import Path\n(Path('lib') / 'x.pth').write_text(str(1))", True),
        ("from pathlib import Path\nPath('m.py').write_text('def f():\\n    return 1\\n')", False),
        ("print(open('m.py').read())", False),
    ],
)
def test_a_python_file_written_is_judged_as_code(
    tmp_path: Path, example: str, refused: bool
) -> None:
    symbol, source = symbol_in(tmp_path, PLAIN, "total")
    problems = safety_problems(f"from tool import total\n{example}\n", symbol, source)
    assert bool(problems) is refused, (example, problems)
    assert all("runs code" in p or "starts a process" in p for p in problems)


@pytest.mark.parametrize(
    "example",
    [
        "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'Popen']",
        "print(object.__subclasses__())",
        "print(total.__globals__['__builtins__'])",
        "print(total.__code__.co_code)",
        "print(int.__mro__)",
        "print(type(total).__bases__)",
        "print(getattr(total, '__globals__'))",
        "print(total.__dict__)",
        "print(''.__class__)",
        "print(globals()['__builtins__'])",
        "import sys\nprint(sys._getframe().f_globals)",
        "import inspect\nprint(inspect.currentframe().f_back.f_globals)",
        "import gc\nprint(gc.get_objects())",
        "print('{0.__globals__}'.format(total))",
        "import pkgutil\npkgutil.resolve_name('os:system')('id')",
        "import pydoc\npydoc.locate('os.system')('id')",
    ],
)
def test_dunders_that_lead_to_other_objects_are_refused(tmp_path: Path, example: str) -> None:
    symbol, source = symbol_in(tmp_path, PLAIN, "total")
    problems = safety_problems(f"from tool import total\n{example}\n", symbol, source)
    assert problems and "runs code" in problems[0], (example, problems)


@pytest.mark.parametrize(
    ("example", "says"),
    [
        ("import pickle\npickle.loads(b'x')", "runs code"),
        ("from pickle import load\nload(open('data.pkl', 'rb'))", "runs code"),
        ("import marshal\nmarshal.loads(b'x')", "runs code"),
        ("import shelve\nshelve.open('db')", "runs code"),
        ("import runpy\nrunpy.run_path('tool.py')", "runs code"),
        ("import runpy\nrunpy.run_module('tool')", "runs code"),
        ("import zipimport\nzipimport.zipimporter('x.zip')", "runs code"),
        ("import importlib.util\nimportlib.util.spec_from_file_location('m', 'm.py')", "code"),
        ("import types\nprint(types.FunctionType)", "runs code"),
        ("from types import CodeType\nprint(CodeType)", "runs code"),
        ("import timeit\ntimeit.timeit('import os')", "runs code"),
        ("import cProfile\ncProfile.run('import os')", "runs code"),
    ],
)
def test_code_loaders_are_refused(tmp_path: Path, example: str, says: str) -> None:
    symbol, source = symbol_in(tmp_path, PLAIN, "total")
    problems = safety_problems(f"from tool import total\n{example}\n", symbol, source)
    assert problems and says in problems[0], (example, problems)


@pytest.mark.parametrize(
    "example",
    [
        "import httpx\nhttpx.get('http://x.example/')",
        "import httpx\nwith httpx.Client() as client:\n    client.get('http://x.example/')",
        "import requests\nrequests.post('http://x.example/')",
        "import urllib3\nurllib3.request('GET', 'http://x.example/')",
        "import aiohttp\naiohttp.ClientSession()",
        "from http.client import HTTPSConnection\nHTTPSConnection('x.example')",
        "import ftplib\nftplib.FTP('x.example')",
        "import smtplib\nsmtplib.SMTP('x.example')",
        "import ssl\nssl.create_default_context()",
        "import http.server\nhttp.server.HTTPServer(('', 8000), None)",
        "import socketserver\nsocketserver.TCPServer(('', 8000), None)",
        "async def main(loop):\n    await loop.create_connection(object, 'x', 80)",
    ],
)
def test_common_network_clients_are_refused(tmp_path: Path, example: str) -> None:
    symbol, source = symbol_in(tmp_path, PLAIN, "total")
    problems = safety_problems(f"from tool import total\n{example}\n", symbol, source)
    assert problems and "opens a network connection" in problems[0], (example, problems)


def test_a_network_client_packages_own_symbol_may_be_shown_connecting(tmp_path: Path) -> None:
    (symbol, source, _), *_ = _offline_examples(httpx, 1, tmp_path)
    assert symbol.import_path.startswith("httpx")
    example = "import httpx\n\nresponse = httpx.get('https://www.example.org/')\n"
    assert safety_problems(example, symbol, source) == []


@pytest.mark.parametrize(
    "example",
    [
        "import codecs\ncodecs.open('/etc/passwd').read()",
        "import io\nio.open('/etc/shadow').read()",
        "import os\nos.open('/tmp/x', os.O_RDONLY)",
        "import fileinput\nprint(list(fileinput.input('/etc/passwd')))",
        "p = chr(47) + 'etc' + chr(47) + 'passwd'\nopen(p)",
        "import os\nopen(os.path.join(os.sep, 'etc', 'passwd'))",
        "import os\nopen(os.sep + 'etc' + os.sep + 'passwd')",
        "import os\nopen(os.path.abspath('x'))",
        "import os\nopen(os.path.join(os.getcwd(), '..', 'x'))",
        "open('/proc/self/status')",
        "open('/dev/sda', 'rb')",
        "name = 'passwd'\nopen('/etc/%s' % name)",
        "name = 'passwd'\nopen(f'/etc/{name}')",
        "name = 'passwd'\nopen('/etc/{}'.format(name))",
        "open('%s/etc/passwd' % '')",
        "open(f\"{''}/etc/passwd\")",
        "open('/'.join(['', 'etc', 'passwd']))",
        "open(bytes([47, 101, 116, 99]).decode())",
        "open('dwssap/cte/'[::-1])",
        "from pathlib import Path\n(Path.cwd().parent / 'x').read_text()",
        "from pathlib import Path\nPath('link').symlink_to('/etc/passwd')",
        "import io\nio.FileIO('/etc/passwd').read()",
        "import linecache\nlinecache.getline('/etc/passwd', 1)",
        "import sqlite3\nsqlite3.connect('/tmp/x.db')",
        "import tarfile\ntarfile.open('/tmp/x.tar')",
        "import shutil\nshutil.unpack_archive('x.zip', '/tmp/out')",
    ],
)
def test_paths_that_may_leave_the_working_folder_are_refused(tmp_path: Path, example: str) -> None:
    symbol, source = symbol_in(tmp_path, PLAIN, "total")
    problems = safety_problems(f"from tool import total\n{example}\n", symbol, source)
    assert problems and "outside the example's working folder" in problems[0], (example, problems)


@pytest.mark.parametrize(
    "example",
    [
        "import os\nprint(os.getppid())",
        "import os\nopen('/proc/%d/environ' % os.getppid()).read()",
        "open('/proc/1/environ').read()",
    ],
)
def test_reading_the_parent_process_is_reading_the_environment(
    tmp_path: Path, example: str
) -> None:
    symbol, source = symbol_in(tmp_path, PLAIN, "total")
    problems = safety_problems(f"from tool import total\n{example}\n", symbol, source)
    assert any("reads environment variables or its parent process" in p for p in problems)


@pytest.mark.parametrize(
    "example",
    [
        "breakpoint()",
        "name = input('Name: ')",
        "import getpass\ngetpass.getpass()",
        "import pdb\npdb.set_trace()",
        "from pdb import set_trace\nset_trace()",
        "import sys\nprint(sys.stdin.read())",
    ],
)
def test_waiting_for_a_person_is_refused(tmp_path: Path, example: str) -> None:
    symbol, source = symbol_in(tmp_path, PLAIN, "total")
    problems = safety_problems(f"from tool import total\n{example}\n", symbol, source)
    assert problems and "waits for a person at a terminal" in problems[0], (example, problems)


def test_a_symbol_that_asks_may_be_shown_asking(tmp_path: Path) -> None:
    asking = 'def ask() -> str:\n    """Ask for a name."""\n    return input("Name: ")\n'
    symbol, source = symbol_in(tmp_path, asking, "ask")
    assert safety_problems("from tool import ask\nprint(input('again? '))\n", symbol, source) == []


@pytest.mark.parametrize(
    ("example", "says"),
    [
        ("import os, signal\nos.kill(1, signal.SIGTERM)", "signals a process"),
        ("import os\nos.killpg(1, 9)", "signals a process"),
        ("import signal, threading\nsignal.pthread_kill(threading.get_ident(), 2)", "signals"),
        ("import os\nos.rename('a', 'b')", "moves or renames files"),
        ("import os\nos.replace('a', 'b')", "moves or renames files"),
        ("import shutil\nshutil.move('a', 'b')", "moves or renames files"),
        ("from pathlib import Path\nPath('a').rename('b')", "moves or renames files"),
    ],
)
def test_signals_and_moves_are_named_for_what_they_do(
    tmp_path: Path, example: str, says: str
) -> None:
    symbol, source = symbol_in(tmp_path, PLAIN, "total")
    (problem,) = safety_problems(f"from tool import total\n{example}\n", symbol, source)
    assert says in problem
    assert "starts a process" not in problem and "deletes" not in problem


@pytest.mark.parametrize(
    "example",
    [
        "print(type(total).__name__, total.__name__, total.__doc__)",
        "print((1.0).__class__.__name__)",
        "class Box:\n    pass\n\nbox = Box()\nprint(box.__dict__)",
        "with open('/dev/null', 'w') as sink:\n    print(total([1.0]), file=sink)",
        "import os\nwith open(os.devnull, 'w') as sink:\n    print(total([1.0]), file=sink)",
        "name = 'prices'\nopen(f'{name}.txt', 'w').write('1.0')",
        "name = 'prices'\nopen('%s.txt' % name, 'w').write('1.0')",
        "import os\nopen(os.path.join('data', 'prices.txt'), 'w')",
        "print(exec('x = 1') or total([1.0]))",
        "print(', '.join(['a', 'b']), 'a/b'.replace('/', '.'), 'abc'[::-1])",
        "from pathlib import Path\nPath('data').mkdir(exist_ok=True)\n"
        "(Path('data/x.txt').parent / 'y.txt').write_text('1.0')",
        "import os\nopen(os.path.join(*['data', 'x.txt']), 'w')",
    ],
)
def test_ordinary_reads_and_relative_paths_still_pass(tmp_path: Path, example: str) -> None:
    symbol, source = symbol_in(tmp_path, PLAIN, "total")
    assert safety_problems(f"from tool import total\n{example}\n", symbol, source) == []


def test_a_symbol_that_starts_processes_may_be_shown_starting_one(tmp_path: Path) -> None:
    symbol, source = symbol_in(tmp_path, RUNNER, "build")
    assert kinds_in(symbol.source, source) == {Kind.PROCESS}  # the alias comes from the module
    example = "import subprocess\nfrom tool import build\n\nsubprocess.run(['make', '--version'])"
    assert safety_problems(example, symbol, source) == []
    network = example + "\nimport socket\nsocket.socket()"
    assert ["network" in p for p in safety_problems(network, symbol, source)] == [True]


def test_a_symbol_that_reads_the_environment_may_be_shown_reading_it(tmp_path: Path) -> None:
    symbol, source = symbol_in(tmp_path, READER, "home_folder")
    example = "import os\nfrom tool import home_folder\n\nprint(os.environ.get('HOME'))"
    assert safety_problems(example, symbol, source) == []


def test_a_file_writer_writes_under_a_temporary_folder_never_outside(tmp_path: Path) -> None:
    symbol, source = symbol_in(tmp_path, WRITER, "save")
    inside = (
        "import tempfile\nfrom pathlib import Path\nfrom tool import save\n\n"
        "with tempfile.TemporaryDirectory() as folder:\n"
        "    target = Path(folder) / 'note.txt'\n"
        "    save(target, 'hello')\n"
        "    print(target.read_text())\n"
    )
    assert safety_problems(inside, symbol, source) == []
    outside = "from pathlib import Path\nfrom tool import save\n\nsave(Path('/tmp/x'), 'a')\n"
    outside += "print(Path('/etc/hosts').read_text())\n"
    (problem,) = safety_problems(outside, symbol, source)
    assert problem.startswith("Usage Example line 5: `Path('/etc/hosts').read_text()` reads")


def test_a_deleting_symbol_may_delete_only_what_the_example_made_in_a_temp_folder(
    tmp_path: Path,
) -> None:
    symbol, source = symbol_in(tmp_path, CLEANER, "clean")
    assert kinds_in(symbol.source, source) == {Kind.DELETE}
    temp = (
        "import shutil, tempfile\nfrom tool import clean\n\n"
        "folder = tempfile.mkdtemp()\nclean(folder)\nshutil.rmtree(folder, ignore_errors=True)\n"
    )
    assert safety_problems(temp, symbol, source) == []
    project = "import shutil\nfrom tool import clean\n\nshutil.rmtree('src')\n"
    (problem,) = safety_problems(project, symbol, source)
    assert "line 4: `shutil.rmtree('src')` deletes a path the example did not make" in problem


def test_the_table_reads_names_under_its_entries() -> None:
    assert kind_of("os.environ.get") is Kind.ENVIRONMENT
    assert kind_of("os.execvpe") is Kind.PROCESS
    assert kind_of("subprocess.Popen") is Kind.PROCESS
    assert kind_of("os.path.join") is None
    assert kind_of("json.dumps") is None


def test_at_most_a_few_problems_for_a_long_hostile_example(tmp_path: Path) -> None:
    symbol, source = symbol_in(tmp_path, PLAIN, "total")
    example = "import os\n" + "\n".join(f"os.system('echo {i}')" for i in range(40))
    assert len(safety_problems(example, symbol, source)) == 5


def test_the_answer_check_reports_an_obeyed_injection(tmp_path: Path) -> None:
    request = total_request(tmp_path)
    hostile = GOOD_GUIDE.replace(
        "from shop import total\n", "import os\nfrom shop import total\n\nos.system('id')\n"
    )
    _, problems = check_answer(hostile, request)
    assert any("`os.system('id')` starts a process" in p for p in problems), problems
    _, fine = check_answer(GOOD_GUIDE, request)
    assert fine == []


def _offline_examples(module: object, limit: int, root: Path) -> list[tuple[Symbol, str, str]]:
    """The first ``limit`` offline examples of ``module``'s package, copied into ``root`` (the
    package's own folder as the project: site-packages as a root reads every installed package)."""
    installed = Path(str(getattr(module, "__file__", ""))).parent
    package = root / installed.name
    shutil.copytree(installed, package, ignore=shutil.ignore_patterns("__pycache__"))
    found: list[tuple[Symbol, str, str]] = []
    for path in sorted(package.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for symbol in list_symbols(source, path, package.parent, True):
            guide = write_guide(GuideRequest(symbol=symbol, module_source=source))
            found.append((symbol, source, guide.example))
        if len(found) >= limit:
            break
    return found[:limit]


@pytest.mark.parametrize("module", [httpx, jedi, pygls], ids=lambda m: m.__name__)
def test_the_offline_writers_examples_pass(module: object, tmp_path: Path) -> None:
    examples = _offline_examples(module, 200, tmp_path)
    assert len(examples) == 200
    for symbol, source, example in examples:
        assert safety_problems(example, symbol, source) == [], (symbol.qualname, example)
