/** Which Python runs the server: the `howto.interpreter` setting, the Python extension's, else python3. */

import * as path from "node:path";

export const DEFAULT_INTERPRETER = "python3";

export type InterpreterSource = "setting" | "python-extension" | "default";

export interface InterpreterChoice {
  /** Executable to run (`<path> -m howto_ls`). */
  readonly path: string;
  /** Where the choice came from, for the log and messages. */
  readonly source: InterpreterSource;
}

export interface InterpreterInputs {
  /** The `howto.interpreter` setting (may be empty). */
  readonly setting?: string;
  /** The executable the Python extension has selected, if that extension is installed. */
  readonly pythonExtension?: string;
  /** Folder `${workspaceFolder}` and relative paths refer to. */
  readonly workspaceFolder?: string;
  /** Home folder `~` refers to. */
  readonly home: string;
}

/** The interpreter to use: an explicit setting wins, then the Python extension, then python3. */
export function chooseInterpreter(inputs: InterpreterInputs): InterpreterChoice {
  const setting = inputs.setting?.trim() ?? "";
  if (setting !== "") {
    return { path: expandPath(setting, inputs), source: "setting" };
  }
  const selected = inputs.pythonExtension?.trim() ?? "";
  if (selected !== "") {
    return { path: selected, source: "python-extension" };
  }
  return { path: DEFAULT_INTERPRETER, source: "default" };
}

/** Expands `~`, `${workspaceFolder}` and `${userHome}`; resolves relative paths with a separator. */
export function expandPath(
  value: string,
  where: Pick<InterpreterInputs, "workspaceFolder" | "home">,
): string {
  let result = value;
  if (result === "~" || result.startsWith("~/")) {
    result = where.home + result.slice(1);
  }
  result = result.replaceAll("${userHome}", where.home);
  if (where.workspaceFolder !== undefined) {
    result = result.replaceAll("${workspaceFolder}", where.workspaceFolder);
  }
  // A bare command name ("python3.12") is looked up on PATH; a relative path is the workspace's.
  if (!path.isAbsolute(result) && result.includes("/") && where.workspaceFolder !== undefined) {
    result = path.resolve(where.workspaceFolder, result);
  }
  return result;
}

/** The argument list that installs howto-ls into `python`: the bundled wheel if any, else PyPI. */
export function installArguments(bundledWheel: string | undefined): string[] {
  return ["-m", "pip", "install", "--upgrade", bundledWheel ?? "howto-ls"];
}

/**
 * What to tell the user when pip failed to install howto-ls into `python`. Without a bundled
 * wheel pip asked PyPI, where howto-ls is not published yet: the message says how to install it
 * by hand instead (from a clone or a wheel built with `python -m build`).
 */
export function installFailedMessage(python: string, bundledWheel: string | undefined): string {
  const failed = `pip could not install howto-ls into ${python}; see the log for its output.`;
  if (bundledWheel !== undefined) {
    return failed;
  }
  return (
    `${failed} This build of the extension carries no howto-ls wheel and howto-ls is not on PyPI yet: ` +
    `install it by hand from a clone (${python} -m pip install /path/to/howto-ls) or from a wheel built with python -m build.`
  );
}
