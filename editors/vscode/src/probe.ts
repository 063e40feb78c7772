/** Checks that an interpreter can run howto-ls before the language client starts it. */

import { execFile } from "node:child_process";

export type ProbeResult =
  | { readonly kind: "ok"; readonly version: string }
  | { readonly kind: "missing"; readonly detail: string }
  | { readonly kind: "no-interpreter"; readonly detail: string }
  | { readonly kind: "failed"; readonly detail: string };

const MARKER = "HOWTO-PROBE ";

/** Runs `python -c 'import <module>'` and reports its version, or why it cannot run. */
export function probe(
  python: string,
  env: Readonly<Record<string, string>>,
  timeoutMs = 15_000,
  module = "howto_ls",
): Promise<ProbeResult> {
  const code = [
    "import importlib, sys",
    "try:",
    `    m = importlib.import_module(${JSON.stringify(module)})`,
    "except ModuleNotFoundError as e:",
    `    print(${JSON.stringify(MARKER)} + "missing " + str(e)); sys.exit(3)`,
    `print(${JSON.stringify(MARKER)} + "ok " + str(getattr(m, "__version__", "unknown")))`,
  ].join("\n");
  return new Promise((resolve) => {
    execFile(
      python,
      ["-c", code],
      { env, timeout: timeoutMs, windowsHide: true },
      (error, stdout, stderr) => {
        const line = stdout.split("\n").find((l) => l.startsWith(MARKER)) ?? "";
        const rest = line.slice(MARKER.length);
        if (rest.startsWith("ok ")) {
          resolve({ kind: "ok", version: rest.slice(3).trim() });
        } else if (rest.startsWith("missing ")) {
          resolve({ kind: "missing", detail: rest.slice(8).trim() });
        } else if (error !== null && (error as NodeJS.ErrnoException).code === "ENOENT") {
          resolve({ kind: "no-interpreter", detail: `${python} was not found` });
        } else if (error !== null && error.killed) {
          resolve({ kind: "failed", detail: `${python} did not answer within ${timeoutMs} ms` });
        } else {
          const last = stderr.trim().split("\n").pop() ?? "";
          resolve({ kind: "failed", detail: last || (error?.message ?? "unknown error") });
        }
      },
    );
  });
}
