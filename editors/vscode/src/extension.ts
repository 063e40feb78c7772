/** Entry point: starts howto-ls for Python files and restarts it when its inputs change. */

import * as vscode from "vscode";
import { registerCommands } from "./commands";
import { onInterpreterChange, PYTHON_EXTENSION_ID } from "./pythonExtension";
import { SECRET_KEY, ServerManager } from "./server";
import { needsRestart } from "./settings";

let manager: ServerManager | undefined;

/** Called by VS Code when a Python file opens. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel("howto-ls", { log: true });
  manager = new ServerManager(context, log);
  const current = manager;
  context.subscriptions.push(log, current, ...registerCommands(current));

  let timer: NodeJS.Timeout | undefined;
  const restartSoon = (reason: string): void => {
    clearTimeout(timer);
    timer = setTimeout(() => void current.restart(reason), 300);
  };
  context.subscriptions.push(
    new vscode.Disposable(() => clearTimeout(timer)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (needsRestart((section) => event.affectsConfiguration(section))) {
        restartSoon("settings changed");
      }
    }),
    context.secrets.onDidChange((event) => {
      if (event.key === SECRET_KEY) {
        restartSoon("API key changed");
      }
    }),
    await onInterpreterChange(() => restartSoon("Python interpreter changed")),
  );

  // The Python extension may be installed or enabled later: follow its interpreter from then on.
  let hadPython = vscode.extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined;
  context.subscriptions.push(
    vscode.extensions.onDidChange(async () => {
      const hasPython = vscode.extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined;
      if (hasPython && !hadPython) {
        context.subscriptions.push(
          await onInterpreterChange(() => restartSoon("Python interpreter changed")),
        );
        restartSoon("Python extension installed");
      }
      hadPython = hasPython;
    }),
  );
  await current.restart("activation");
}

/** Called by VS Code on shutdown. */
export async function deactivate(): Promise<void> {
  await manager?.stop();
  manager = undefined;
}
