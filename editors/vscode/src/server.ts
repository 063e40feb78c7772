/** Starts, stops and restarts the howto-ls language server with the chosen interpreter. */

import * as os from "node:os";
import * as vscode from "vscode";
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { chooseInterpreter, type InterpreterChoice } from "./interpreter";
import { offerInstall } from "./install";
import { probe } from "./probe";
import { handleServerProgress } from "./progress";
import { selectedInterpreter } from "./pythonExtension";
import { initializationOptions, serverEnvironment } from "./settings";

export const SECRET_KEY = "howto.apiKey";

/** The one language client of this window, replaced on every restart. */
export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private clientDisposables: vscode.Disposable[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {}

  /** The running client, or undefined while stopped or starting. */
  get running(): LanguageClient | undefined {
    return this.client?.isRunning() ? this.client : undefined;
  }

  /** (Re)starts the server; calls are serialised so restarts never overlap. */
  restart(reason: string): Promise<void> {
    this.queue = this.queue.then(
      () => this.doRestart(reason),
      () => this.doRestart(reason),
    );
    return this.queue;
  }

  /** Stops the server. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    for (const disposable of this.clientDisposables.splice(0)) {
      disposable.dispose();
    }
    if (client !== undefined) {
      try {
        await client.stop(5000);
      } catch (error) {
        this.log.warn(`Stopping the server: ${String(error)}`);
      }
    }
  }

  dispose(): void {
    void this.stop();
  }

  private async doRestart(reason: string): Promise<void> {
    await this.stop();
    this.log.info(`Starting howto-ls (${reason})`);
    const folder = vscode.workspace.workspaceFolders?.[0];
    const config = vscode.workspace.getConfiguration("howto", folder);
    const interpreter = chooseInterpreter({
      setting: config.get<string>("interpreter"),
      pythonExtension: await selectedInterpreter(folder?.uri, (m) => this.log.warn(m)),
      workspaceFolder: folder?.uri.fsPath,
      home: os.homedir(),
    });
    this.log.info(`Interpreter: ${interpreter.path} (from ${describe(interpreter)})`);
    const apiKey = await this.context.secrets.get(SECRET_KEY);
    const env = serverEnvironment(process.env, apiKey);
    const found = await probe(interpreter.path, env);
    if (found.kind !== "ok") {
      this.log.error(`howto-ls cannot start with ${interpreter.path}: ${found.detail}`);
      void offerInstall(this, interpreter, found);
      return;
    }
    this.log.info(`howto-ls ${found.version} found${apiKey ? "; API key from SecretStorage" : ""}`);
    await this.startClient(
      interpreter,
      env,
      initializationOptions((key) => config.get(key)),
      folder,
    );
  }

  private async startClient(
    interpreter: InterpreterChoice,
    env: Record<string, string>,
    options: Record<string, string | number | string[]>,
    folder: vscode.WorkspaceFolder | undefined,
  ): Promise<void> {
    const serverOptions: ServerOptions = {
      command: interpreter.path,
      args: ["-m", "howto_ls"],
      options: { env, cwd: folder?.uri.fsPath },
    };
    const clientOptions: LanguageClientOptions = {
      // Unsaved buffers get docstring guides; notebook cells are told guides are not available.
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "untitled", language: "python" },
        { scheme: "vscode-notebook-cell", language: "python" },
      ],
      outputChannel: this.log,
      initializationOptions: options,
    };
    const client = new LanguageClient("howto", "howto-ls", serverOptions, clientOptions);
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.log.error(`The server did not start: ${String(error)}`);
      void vscode.window
        .showErrorMessage(
          `howto-ls did not start with ${interpreter.path}; see the log for the cause.`,
          "Show log",
        )
        .then((choice) => choice && this.log.show());
      return;
    }
    this.clientDisposables.push(handleServerProgress(client));
  }
}

function describe(choice: InterpreterChoice): string {
  switch (choice.source) {
    case "setting":
      return "the howto.interpreter setting";
    case "python-extension":
      return "the Python extension";
    default:
      return "the default";
  }
}
