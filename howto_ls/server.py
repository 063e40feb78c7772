"""The language server: pygls handlers only, each delegating to :mod:`howto_ls.lsp`."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any

from lsprotocol import types

from howto_ls import __version__
from howto_ls.errors import UsageError
from howto_ls.lsp import indexing
from howto_ls.lsp.actions import KIND, code_actions
from howto_ls.lsp.cache import CLEAR_CACHE, clear_cache
from howto_ls.lsp.diagnostics import StaleGuides
from howto_ls.lsp.generate import COMMAND, generate
from howto_ls.lsp.hover import hover_at
from howto_ls.lsp.lenses import LensRefresh, code_lenses, resolve_lens
from howto_ls.lsp.session import ClientLogHandler, HowtoServer
from howto_ls.lsp.tcp import new_token, parse_address, serve_tcp, token_from
from howto_ls.redact import install_log_redaction, register_secret

logger = logging.getLogger("howto_ls.server")

CONFIGURATION_TIMEOUT = 5.0  # seconds a client may take to answer workspace/configuration

server = HowtoServer()
stale_guides = StaleGuides(server)
lens_refresh = LensRefresh(server)


@server.feature(types.INITIALIZE)
def initialize(ls: HowtoServer, params: types.InitializeParams) -> None:
    """Reduce the client's capabilities and read ``initializationOptions``."""
    ls.initialize_from(params)


@server.feature(types.INITIALIZED)
async def initialized(ls: HowtoServer, params: types.InitializedParams) -> None:
    """Fetch the ``howto`` workspace configuration, then say where guides come from."""
    await _fetch_configuration(ls)
    ls.log(
        f"howto-ls {__version__} in {ls.root}: guides from {ls.describe_backend()}",
        types.MessageType.Info,
    )
    ls.warm_up()
    if ls.flags.watch_files:
        try:
            await ls.client_register_capability_async(indexing.watcher_registration())
        except Exception as error:  # a client that refuses still gets didSave and didChange
            ls.log(f"howto-ls: the editor did not watch Python files for the index: {error}")


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: HowtoServer, params: types.DidChangeWatchedFilesParams) -> None:
    """Python files were created, changed or deleted outside the editor: index them again."""
    indexing.files_changed(change.uri for change in params.changes)


@server.feature(types.WORKSPACE_DID_CREATE_FILES, indexing.FILE_OPERATIONS)
def did_create_files(ls: HowtoServer, params: types.CreateFilesParams) -> None:
    """Files were created in the editor: the index lists them."""
    indexing.files_changed(file.uri for file in params.files)


@server.feature(types.WORKSPACE_DID_RENAME_FILES, indexing.FILE_OPERATIONS)
def did_rename_files(ls: HowtoServer, params: types.RenameFilesParams) -> None:
    """Files were renamed in the editor: their modules move in the index."""
    indexing.files_changed(uri for file in params.files for uri in (file.old_uri, file.new_uri))


@server.feature(types.WORKSPACE_DID_DELETE_FILES, indexing.FILE_OPERATIONS)
def did_delete_files(ls: HowtoServer, params: types.DeleteFilesParams) -> None:
    """Files were deleted in the editor: they leave the index."""
    indexing.files_changed(file.uri for file in params.files)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(
    ls: HowtoServer, params: types.DidChangeConfigurationParams
) -> None:
    """Apply pushed settings, or pull them when the push carries none."""
    section = ls.settings_section(params.settings)
    if section is not None:
        ls.configure(section)
        stale_guides.publish_all()
        lens_refresh.now()
        ls.log(f"howto settings changed: guides from {ls.describe_backend()}")
    else:
        await _fetch_configuration(ls)


async def _fetch_configuration(ls: HowtoServer) -> None:
    if not ls.flags.configuration:
        return
    try:
        values = await asyncio.wait_for(
            ls.workspace_configuration_async(
                types.ConfigurationParams(items=ls.configuration_items())  # global, per folder
            ),
            CONFIGURATION_TIMEOUT,
        )
    except Exception as exc:  # a client that fails or ignores it keeps the current settings
        ls.log(f"workspace/configuration failed ({exc}); keeping the current settings")
        return
    before = ls.settings
    ls.configure_answers(list(values or []))
    stale_guides.publish_all()
    lens_refresh.now()
    if ls.settings != before:
        ls.log(f"howto settings changed: guides from {ls.describe_backend()}")


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: HowtoServer, params: types.DidOpenTextDocumentParams) -> None:
    """Index the editor's text; publish stale-guide diagnostics for the opened document."""
    indexing.document_text(params.text_document.uri, params.text_document.text)
    stale_guides.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: HowtoServer, params: types.DidChangeTextDocumentParams) -> None:
    """Index the new text; re-check stale guides once typing pauses."""
    document = ls.document(params.text_document.uri)
    if document is not None:
        indexing.document_text(params.text_document.uri, document.source)
    stale_guides.schedule(params.text_document.uri)
    lens_refresh.schedule()


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: HowtoServer, params: types.DidSaveTextDocumentParams) -> None:
    """Re-check stale guides now; a saved sidecar changes the guides of its Python file."""
    indexing.files_changed([params.text_document.uri])
    ls.forget_all()
    if ls.python_document(params.text_document.uri) is None:
        stale_guides.publish_all()
    else:
        stale_guides.publish(params.text_document.uri)
    lens_refresh.now()


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: HowtoServer, params: types.DidCloseTextDocumentParams) -> None:
    """Forget the document and clear its diagnostics; index the file on disk again."""
    indexing.document_closed(params.text_document.uri)
    ls.forget(params.text_document.uri)
    stale_guides.clear(params.text_document.uri)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[KIND, types.CodeActionKind.QuickFix], resolve_provider=False
    ),
)
def code_action(
    ls: HowtoServer, params: types.CodeActionParams
) -> list[types.CodeAction | types.Command]:
    """List the how-to actions (cheap: no model, no inference)."""
    return code_actions(ls, params)


@server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=True))
def code_lens(ls: HowtoServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    """Lenses over symbols whose guide is missing or stale (cheap; commands come on resolve)."""
    return code_lenses(ls, params)


@server.feature(types.CODE_LENS_RESOLVE)
def code_lens_resolve(ls: HowtoServer, params: types.CodeLens) -> types.CodeLens:
    """Give a lens its ``howto.generate`` command."""
    return resolve_lens(params)


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: HowtoServer, params: types.HoverParams) -> types.Hover | None:
    """Show the guide of the symbol under the cursor."""
    return await hover_at(ls, params)


@server.command(COMMAND)
async def generate_command(ls: HowtoServer, args: Any) -> dict[str, Any]:
    """Write the guide (the slow part), with progress and cancel."""
    return await generate(ls, args)


@server.command(CLEAR_CACHE)
async def clear_cache_command(ls: HowtoServer, *args: Any) -> dict[str, Any]:
    """Forget every cached model guide; the count is shown to the user (arguments ignored)."""
    return await clear_cache(ls)


def serve(tcp: str | None = None, token: str | None = None, allow_remote: bool = False) -> None:
    """Run the server on stdio, or on TCP at ``tcp`` (``PORT`` or ``HOST:PORT``).

    Over TCP the host must be a loopback one unless ``allow_remote``, and a client must send
    ``token`` (default ``HOWTO_LS_TOKEN``, else a new one printed once to stderr) as
    ``initializationOptions.token``: see :mod:`howto_ls.lsp.tcp`. Raises :class:`UsageError`
    for a bad address, a remote host without ``allow_remote``, or a non-ASCII token.
    """
    address = tcp_address = None
    if tcp is not None:
        tcp_address = address = parse_address(tcp)
        if not address.is_loopback and not allow_remote:
            raise UsageError(
                f"--tcp {tcp}: {address.host} is not a loopback address, so other machines could"
                " connect (unencrypted): use 127.0.0.1, or add --allow-remote on a network you"
                " trust"
            )
        token = token_from(token, os.environ)
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s: %(message)s"
    )
    logging.getLogger("pygls").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    client_log = ClientLogHandler(server)
    logging.getLogger("howto_ls").addHandler(client_log)
    install_log_redaction(client_log)
    if tcp_address is None:
        server.start_io()
        return
    generated = token is None
    secret = token or new_token()
    register_secret(secret)

    def ready(bound: tuple[str, int]) -> None:
        host, port = bound
        if generated:  # shown once, here, and in no log
            print(
                f"howto-ls: listening on {host}:{port}; token for initializationOptions.token:"
                f" {secret}",
                file=sys.stderr,
                flush=True,
            )
        else:
            print(f"howto-ls: listening on {host}:{port}", file=sys.stderr, flush=True)

    serve_tcp(server, tcp_address, secret, ready)


if __name__ == "__main__":
    serve(sys.argv[1] if len(sys.argv) > 1 else None)
