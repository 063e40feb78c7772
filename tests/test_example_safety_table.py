"""The table of the Usage Example check: names read under their entries, ``os``'s C modules."""

from __future__ import annotations

import pytest

from howto_ls.example_safety_table import Kind, canonical, is_risky_module, kind_of, network_package


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("posix.system", Kind.PROCESS),
        ("nt.spawnv", Kind.PROCESS),
        ("os.kill", Kind.SIGNAL),
        ("os.rename", Kind.MOVE),
        ("shutil.move", Kind.MOVE),
        ("os.getppid", Kind.ENVIRONMENT),
        ("httpx.get", Kind.NETWORK),
        ("requests.Session.get", Kind.NETWORK),
        ("pdb.set_trace", Kind.TERMINAL),
        ("sys.modules", Kind.DYNAMIC),
        ("importlib.util.spec_from_file_location", Kind.DYNAMIC),
        ("codecs.open", Kind.FILES),
        ("httpx.URL", None),
        ("sys.argv", None),
        ("pickle.dumps", None),
    ],
)
def test_each_name_has_its_kind(name: str, kind: Kind | None) -> None:
    assert kind_of(name) is kind


def test_builtins_and_the_c_modules_of_os_are_read_as_their_names() -> None:
    assert canonical("builtins.open") == "open"
    assert canonical("__builtins__.exec") == "exec"
    assert canonical("posix") == "os"
    assert canonical("posixpath.join") == "posixpath.join"
    assert is_risky_module("posix") and is_risky_module("sys") and not is_risky_module("json")


def test_network_client_packages_are_known_by_their_top_name() -> None:
    assert network_package("httpx._client") and network_package("requests")
    assert not network_package("jedi.api") and not network_package("socketserver_tools")
