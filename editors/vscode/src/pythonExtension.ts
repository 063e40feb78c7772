/** The interpreter selected in the Python extension (ms-python.python), when it is installed. */

import * as vscode from "vscode";

interface EnvironmentPath {
  readonly id: string;
  readonly path: string;
}

interface ResolvedEnvironment {
  readonly executable: { readonly uri?: vscode.Uri };
}

interface PythonEnvironmentsApi {
  getActiveEnvironmentPath(resource?: vscode.Uri): EnvironmentPath;
  resolveEnvironment(
    environment: EnvironmentPath | string,
  ): Promise<ResolvedEnvironment | undefined>;
  readonly onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
}

interface PythonExtensionApi {
  readonly environments?: PythonEnvironmentsApi;
}

/** The Python extension, whose selected interpreter runs the server when no setting says otherwise. */
export const PYTHON_EXTENSION_ID = "ms-python.python";

async function environmentsApi(): Promise<PythonEnvironmentsApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (extension === undefined) {
    return undefined;
  }
  const api = extension.isActive ? extension.exports : await extension.activate();
  return api?.environments;
}

/** The selected interpreter's executable for `resource`, or undefined without the extension. */
export async function selectedInterpreter(
  resource: vscode.Uri | undefined,
  log: (message: string) => void,
): Promise<string | undefined> {
  try {
    const api = await environmentsApi();
    if (api === undefined) {
      return undefined;
    }
    const active = api.getActiveEnvironmentPath(resource);
    const resolved = await api.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? active.path;
  } catch (error) {
    log(`The Python extension did not report an interpreter: ${String(error)}`);
    return undefined;
  }
}

/** Calls `listener` when the Python extension's selected interpreter changes. */
export async function onInterpreterChange(listener: () => void): Promise<vscode.Disposable> {
  try {
    const api = await environmentsApi();
    if (api !== undefined) {
      return api.onDidChangeActiveEnvironmentPath(() => listener());
    }
  } catch {
    // Without a working Python extension there is nothing to follow.
  }
  return new vscode.Disposable(() => undefined);
}
