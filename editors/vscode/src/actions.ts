/** Recognises the server's code actions and diagnostics by their titles, codes and sources. */

export type ActionKind = "docstring" | "sidecar" | "regenerate";

/** What a code-action title asks for, or undefined when it is not one of howto-ls's actions. */
export function classifyAction(title: string): ActionKind | undefined {
  const text = title.trim().toLowerCase();
  if (text.startsWith("regenerate how-to doc")) {
    return "regenerate";
  }
  if (text.startsWith("generate how-to doc")) {
    return text.includes("sidecar") ? "sidecar" : "docstring";
  }
  return undefined;
}

/** The order in which "generate at cursor" prefers actions, given the `howto.target` setting. */
export function generatePreference(target: string): readonly ActionKind[] {
  return target === "sidecar"
    ? ["sidecar", "regenerate", "docstring"]
    : ["docstring", "regenerate", "sidecar"];
}

/** The first action of the most preferred kind, or undefined when none is howto-ls's. */
export function pickAction<T extends { readonly title: string }>(
  actions: readonly T[],
  preference: readonly ActionKind[],
): T | undefined {
  for (const kind of preference) {
    const found = actions.find((action) => classifyAction(action.title) === kind);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

export interface DiagnosticLike {
  readonly source?: string;
  readonly code?: string | number | { readonly value: string | number };
  readonly message: string;
}

/** Whether a diagnostic is howto-ls's "this guide is stale" report. */
export function isStaleGuide(diagnostic: DiagnosticLike): boolean {
  if (!(diagnostic.source ?? "").toLowerCase().includes("howto")) {
    return false;
  }
  const code = diagnostic.code;
  const codeText = String(typeof code === "object" ? code.value : (code ?? "")).toLowerCase();
  return codeText.includes("stale") || /\bstale\b/i.test(diagnostic.message);
}
