/** When howto-ls is missing from the interpreter: say so and offer to install it there. */

import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { installArguments, installFailedMessage, type InterpreterChoice } from "./interpreter";
import type { ProbeResult } from "./probe";
import { PYTHON_EXTENSION_ID } from "./pythonExtension";
import type { ServerManager } from "./server";

const INSTALL = "Install howto-ls";
const CHOOSE = "Choose interpreter";
const SHOW_LOG = "Show log";

/** The howto-ls wheel shipped inside the extension, matching its version, if there is one. */
export function bundledWheel(extensionPath: string): string | undefined {
  const folder = path.join(extensionPath, "bundled");
  try {
    const wheel = readdirSync(folder).find((name) => /^howto_ls-.*\.whl$/.test(name));
    return wheel === undefined ? undefined : path.join(folder, wheel);
  } catch {
    return undefined;
  }
}

/** Shows why the server cannot start and runs the fix the user picks. */
export async function offerInstall(
  manager: ServerManager,
  interpreter: InterpreterChoice,
  result: Exclude<ProbeResult, { kind: "ok" }>,
): Promise<void> {
  const python = interpreter.path;
  let message: string;
  let choices: string[];
  if (result.kind === "no-interpreter") {
    message = `howto-ls: the Python interpreter "${python}" was not found; set "howto.interpreter" or select an interpreter in the Python extension.`;
    choices = [CHOOSE, SHOW_LOG];
  } else if (result.kind === "missing") {
    message = `howto-ls is not installed for ${python} (${result.detail}); install it into that environment with pip.`;
    choices = [INSTALL, CHOOSE, SHOW_LOG];
  } else {
    message = `howto-ls could not be loaded by ${python} (${result.detail}); reinstall it into that environment.`;
    choices = [INSTALL, CHOOSE, SHOW_LOG];
  }
  const choice = await vscode.window.showErrorMessage(message, ...choices);
  if (choice === INSTALL) {
    await install(manager, python);
  } else if (choice === CHOOSE) {
    const hasPython = vscode.extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined;
    await vscode.commands.executeCommand(
      hasPython ? "python.setInterpreter" : "workbench.action.openSettings",
      ...(hasPython ? [] : ["howto.interpreter"]),
    );
  } else if (choice === SHOW_LOG) {
    manager.log.show();
  }
}

/** Runs pip for `python` with a cancellable notification, then restarts the server. */
async function install(manager: ServerManager, python: string): Promise<void> {
  const wheel = bundledWheel(manager.context.extensionPath);
  const args = installArguments(wheel);
  manager.log.info(`Running: ${python} ${args.join(" ")}`);
  const code = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Installing howto-ls into ${python}`,
      cancellable: true,
    },
    (_progress, cancellation) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(python, args, { env: process.env });
        child.stdout.on("data", (data: Buffer) => manager.log.append(data.toString()));
        child.stderr.on("data", (data: Buffer) => manager.log.append(data.toString()));
        child.on("error", (error) => {
          manager.log.error(String(error));
          resolve(null);
        });
        child.on("close", (status) => resolve(status));
        cancellation.onCancellationRequested(() => child.kill());
      }),
  );
  if (code === 0) {
    void vscode.window.showInformationMessage(`howto-ls installed into ${python}.`);
    await manager.restart("howto-ls installed");
  } else {
    const choice = await vscode.window.showErrorMessage(
      installFailedMessage(python, wheel),
      SHOW_LOG,
    );
    if (choice === SHOW_LOG) {
      manager.log.show();
    }
  }
}
