/** The palette commands: generate at cursor, regenerate stale guides, restart, log, API key,
 * clear the guide cache. */

import * as vscode from "vscode";
import { generatePreference, isStaleGuide, pickAction } from "./actions";
import { SECRET_KEY, type ServerManager } from "./server";

const KIND = vscode.CodeActionKind.RefactorRewrite.value;

/** Registers every `howto.*` palette command. */
export function registerCommands(manager: ServerManager): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand("howto.generateAtCursor", () => generateAtCursor(manager)),
    vscode.commands.registerCommand("howto.regenerateStale", () => regenerateStale(manager)),
    vscode.commands.registerCommand("howto.restartServer", () =>
      manager.restart("restart command"),
    ),
    vscode.commands.registerCommand("howto.showLog", () => manager.log.show()),
    vscode.commands.registerCommand("howto.setApiKey", () => setApiKey(manager)),
    vscode.commands.registerCommand("howto.clearGuideCache", () => clearGuideCache(manager)),
  ];
}

/** Runs the server's `howto.clearCache`; the server shows how many guides it forgot. */
async function clearGuideCache(manager: ServerManager): Promise<void> {
  if (serverReady(manager)) {
    await vscode.commands.executeCommand("howto.clearCache");
  }
}

function pythonEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined || editor.document.languageId !== "python") {
    void vscode.window.showWarningMessage(
      "howto-ls: open a Python file and put the cursor on a symbol.",
    );
    return undefined;
  }
  return editor;
}

function serverReady(manager: ServerManager): boolean {
  if (manager.running === undefined) {
    void vscode.window.showWarningMessage(
      'howto-ls is not running; run "How-to: Restart server" or see "How-to: Show log".',
    );
    return false;
  }
  return true;
}

async function actionsAt(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  const found = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    "vscode.executeCodeActionProvider",
    uri,
    range,
    KIND,
    10,
  );
  return (found ?? []).filter((item): item is vscode.CodeAction => !isCommand(item));
}

function isCommand(item: vscode.CodeAction | vscode.Command): item is vscode.Command {
  return typeof (item as vscode.Command).command === "string";
}

async function run(action: vscode.CodeAction): Promise<void> {
  if (action.edit !== undefined) {
    await vscode.workspace.applyEdit(action.edit);
  }
  if (action.command !== undefined) {
    await vscode.commands.executeCommand(
      action.command.command,
      ...(action.command.arguments ?? []),
    );
  }
}

async function generateAtCursor(manager: ServerManager): Promise<void> {
  const editor = pythonEditor();
  if (editor === undefined || !serverReady(manager)) {
    return;
  }
  const target = vscode.workspace
    .getConfiguration("howto", editor.document.uri)
    .get("target", "docstring");
  const actions = await actionsAt(editor.document.uri, editor.selection);
  const action = pickAction(actions, generatePreference(target));
  if (action === undefined) {
    void vscode.window.showInformationMessage(
      "howto-ls: no function, class or name here; put the cursor on a symbol or a reference to one.",
    );
    return;
  }
  await run(action);
}

async function regenerateStale(manager: ServerManager): Promise<void> {
  const editor = pythonEditor();
  if (editor === undefined || !serverReady(manager)) {
    return;
  }
  const uri = editor.document.uri;
  const stale = vscode.languages
    .getDiagnostics(uri)
    .filter(isStaleGuide)
    .sort((a, b) => b.range.start.compareTo(a.range.start));
  if (stale.length === 0) {
    void vscode.window.showInformationMessage("howto-ls: no stale guides in this file.");
    return;
  }
  let done = 0;
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Regenerating ${stale.length} stale guide${stale.length === 1 ? "" : "s"}`,
      cancellable: true,
    },
    async (progress, cancellation) => {
      // Bottom-up, so a rewritten guide never shifts the ranges of those still to do.
      for (const diagnostic of stale) {
        if (cancellation.isCancellationRequested) {
          break;
        }
        const action = pickAction(await actionsAt(uri, diagnostic.range), ["regenerate"]);
        if (action !== undefined) {
          await run(action);
          done += 1;
        }
        progress.report({ increment: 100 / stale.length, message: `${done} of ${stale.length}` });
      }
    },
  );
  void vscode.window.showInformationMessage(
    `howto-ls: regenerated ${done} of ${stale.length} stale guides.`,
  );
}

async function setApiKey(manager: ServerManager): Promise<void> {
  const value = await vscode.window.showInputBox({
    title: "How-to: Set API key",
    prompt:
      "API key for the OpenAI-compatible server; stored in VS Code's secret storage. Leave empty to remove it.",
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) {
    return;
  }
  if (value.trim() === "") {
    await manager.context.secrets.delete(SECRET_KEY);
    void vscode.window.showInformationMessage("howto-ls: API key removed.");
  } else {
    await manager.context.secrets.store(SECRET_KEY, value.trim());
    void vscode.window.showInformationMessage("howto-ls: API key stored.");
  }
}
