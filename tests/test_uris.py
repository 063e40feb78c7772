"""The URI <-> path mapping with the spellings real editors send."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from howto_ls.lsp.uris import (
    display,
    document_key,
    fs_path,
    is_notebook_cell,
    is_unsaved,
    path_from_uri,
    same_document,
    scheme_of,
    unsaved_module,
    uri_from_fs_path,
    uri_from_path,
)

# Folder names and the path segment VS Code's URI.file(...).toString() writes for each.
VSCODE_SEGMENTS = {
    "inventory": "inventory",
    "with space": "with%20space",
    "ünïcode": "%C3%BCn%C3%AFcode",
    "名前": "%E5%90%8D%E5%89%8D",
    "a+b": "a%2Bb",
    "50%": "50%25",
    "hash#1": "hash%231",
    "a&b (copy)": "a%26b%20%28copy%29",
}


def neovim_uri(path: str) -> str:
    """``vim.uri_from_fname`` (Neovim 0.7 runtime/lua/vim/uri.lua), RFC 3986 reserved kept."""

    def encode(text: str) -> str:
        return re.sub(
            r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/]",
            lambda m: "".join(f"%{byte:02X}" for byte in m.group().encode("utf-8")),
            text,
        )

    drive = re.match(r"^([a-zA-Z]:)(.*)", path)
    if drive:
        return "file:///" + drive.group(1) + encode(drive.group(2).replace("\\", "/"))
    return "file://" + encode(path)


@pytest.mark.parametrize(("name", "segment"), VSCODE_SEGMENTS.items())
def test_vscode_and_neovim_spellings_name_the_same_path(name: str, segment: str) -> None:
    path = f"/home/me/{name}/stock.py"
    vscode = f"file:///home/me/{segment}/stock.py"
    neovim = neovim_uri(path)
    assert uri_from_fs_path(path, windows=False) == vscode
    assert fs_path(vscode, windows=False) == path
    assert fs_path(neovim, windows=False) == path
    assert document_key(vscode) == document_key(neovim) == vscode
    assert same_document(vscode, neovim)


def test_neovim_keeps_reserved_characters_that_vscode_encodes() -> None:
    assert neovim_uri("/p/a&b (copy)/x.py") == "file:///p/a&b%20(copy)/x.py"
    assert neovim_uri("/p/a+b/x.py") == "file:///p/a+b/x.py"
    assert fs_path("file:///p/a+b/x.py", windows=False) == "/p/a+b/x.py"  # "+" is no space


def test_hex_digits_in_either_case() -> None:
    upper = "file:///p/%C3%BCn%C3%AFcode/x.py"
    lower = "file:///p/%c3%bcn%c3%afcode/x.py"
    assert fs_path(lower, windows=False) == fs_path(upper, windows=False) == "/p/ünïcode/x.py"
    assert document_key(lower) == document_key(upper) == upper


def test_windows_drive_letters_vscode_and_neovim() -> None:
    vscode = "file:///c%3A/Users/Me/My%20Code/stock.py"
    neovim = neovim_uri("C:\\Users\\Me\\My Code\\stock.py")
    assert neovim == "file:///C:/Users/Me/My%20Code/stock.py"
    for uri in (vscode, neovim, "file:///c:/Users/Me/My%20Code/stock.py"):
        assert fs_path(uri, windows=True) == "c:\\Users\\Me\\My Code\\stock.py"
        assert document_key(uri, windows=True) == document_key(vscode, windows=True)
        assert document_key(uri, windows=False) == vscode  # VS Code's spelling on any platform
    assert uri_from_fs_path("C:\\Users\\Me\\My Code\\stock.py", windows=True) == vscode
    # Windows paths compare without case: one document however the path is cased.
    other_case = "file:///C:/users/me/my%20code/STOCK.py"
    assert document_key(other_case, windows=True) == document_key(vscode, windows=True)
    assert document_key(other_case, windows=False) != document_key(vscode, windows=False)


def test_unc_paths() -> None:
    uri = "file://Server/share/My%20Docs/x.py"
    assert fs_path(uri, windows=True) == "\\\\Server\\share\\My Docs\\x.py"
    assert fs_path(uri, windows=False) == "//Server/share/My Docs/x.py"
    assert uri_from_fs_path("\\\\Server\\share\\My Docs\\x.py", windows=True) == (
        "file://server/share/My%20Docs/x.py"
    )
    assert document_key(uri, windows=False) == "file://server/share/My%20Docs/x.py"


def test_localhost_and_dot_segments_are_the_local_file() -> None:
    plain = "file:///p/q/x.py"
    for spelling in ("file://localhost/p/q/x.py", "file:///p/./r/../q/x.py", "FILE:///p/q/x.py"):
        assert fs_path(spelling, windows=False) == "/p/q/x.py"
        assert same_document(spelling, plain)
    assert not same_document("file:///p/q/x.py", "file:///p/q/y.py")


def test_documents_that_are_not_files() -> None:
    assert fs_path("untitled:Untitled-1") is None
    assert path_from_uri("vscode-notebook-cell:/p/nb.ipynb#W0sZmlsZQ%3D%3D") is None
    assert scheme_of("Untitled:Untitled-1") == "untitled"
    assert scheme_of("/no/scheme") == ""
    assert same_document("untitled:Untitled%2D1", "untitled:Untitled-1")
    cell = "vscode-notebook-cell:/p/nb.ipynb#W0sZmlsZQ%3D%3D"
    assert document_key(cell) == cell
    assert not same_document(cell, "vscode-notebook-cell:/p/nb.ipynb#W1sZmlsZQ%3D%3D")
    assert display("untitled:Untitled%2D1") == "untitled:Untitled-1"
    assert display("file:///p/with%20space/x.py") == "/p/with space/x.py"


def test_bytes_that_are_not_utf8_round_trip() -> None:
    uri = "file:///p/caf%E9/x.py"  # Latin-1 bytes in a POSIX file name
    path = fs_path(uri, windows=False)
    assert path is not None and path.encode("utf-8", "surrogateescape") == b"/p/caf\xe9/x.py"
    assert uri_from_fs_path(path, windows=False) == uri


def test_real_paths_round_trip(tmp_path: Path) -> None:
    for name, segment in VSCODE_SEGMENTS.items():
        path = tmp_path / name / "stock.py"
        uri = uri_from_path(path)
        assert uri.endswith(f"/{segment}/stock.py")
        assert path_from_uri(uri) == path


def test_unsaved_buffers_import_from_a_module_named_as_one() -> None:
    assert is_unsaved("untitled:Untitled-1") and not is_unsaved("file:///p/x.py")
    assert unsaved_module("untitled:Untitled-1") == "unsaved_untitled_1"
    assert unsaved_module("untitled:/home/me/new%20tool.py") == "unsaved_new_tool"
    assert unsaved_module("untitled:%E5%90%8D%E5%89%8D") == "unsaved_buffer"
    assert is_notebook_cell("vscode-notebook-cell:/p/nb.ipynb#W0sZmlsZQ%3D%3D")


def test_an_empty_authority_with_an_extra_slash_is_the_local_path() -> None:
    assert fs_path("file:////tmp/x.py", windows=False) == "/tmp/x.py"
    assert document_key("file:////tmp/x.py", windows=False) == "file:///tmp/x.py"
    assert same_document("file:////tmp/x.py", "file:///tmp/x.py")
    # On Windows four slashes name a UNC share (RFC 8089 appendix E.3.2).
    assert fs_path("file:////server/share/x.py", windows=True) == "\\\\server\\share\\x.py"


@pytest.mark.parametrize(
    "uri",
    [
        "file:///%00/x.py",
        "file:///tmp/x%00.py",
        "file://h%00st/x.py",
        "file:///" + "b/" * 3000 + "x.py",  # longer than PATH_MAX
        "file:///tmp/" + "n" * 256 + ".py",  # a name longer than NAME_MAX
    ],
)
def test_a_path_no_file_can_have_is_not_a_file(uri: str) -> None:
    assert path_from_uri(uri) is None
    assert document_key(uri)  # still a key: the document can be opened and closed


def test_a_long_unsaved_name_gives_a_bounded_module_name_of_its_own() -> None:
    first = unsaved_module("untitled:" + "a" * 5000)
    second = unsaved_module("untitled:" + "a" * 4999 + "b")
    assert first != second
    for name in (first, second):
        assert name.isidentifier() and len(name) <= len("unsaved_") + 64
        assert name.startswith("unsaved_aaaa")
    assert unsaved_module("untitled:" + "a" * 5000) == first
