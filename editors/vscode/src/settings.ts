/** The `howto.*` settings: which reach the server, how, and which changes restart it. */

/** Settings the server reads (LSP section `howto`, camelCase, as in design §3). */
export const SERVER_SETTINGS = [
  "backend",
  "baseUrl",
  "model",
  "target",
  "sidecarPath",
  "language",
  "hover",
  "codeLens",
  "promptFile",
  "timeout",
  "connectTimeout",
  "firstTokenTimeout",
  "maxConcurrency",
  "maxTokens",
  "structuredOutput",
  "verifyExamples",
  "exclude",
  "cache",
  "maxFileSize",
] as const;

export type ServerSetting = (typeof SERVER_SETTINGS)[number];

/** Settings that only the extension reads. */
export const CLIENT_SETTINGS = ["interpreter", "trace.server"] as const;

/** Environment variable through which the server receives the API key. */
export const API_KEY_ENV = "HOWTO_API_KEY";

/** Reads one setting of the `howto` section; undefined when absent. */
export type SettingReader = (key: string) => unknown;

/**
 * The `initializationOptions` for the server: every server setting that has a usable value.
 *
 * Empty strings mean "not set" and are left out so the server keeps its own default; numbers
 * that are not finite are left out for the same reason. Lists (`exclude`) keep their non-empty
 * strings, and are left out when none is left.
 */
export function initializationOptions(
  read: SettingReader,
): Record<string, string | number | string[]> {
  const options: Record<string, string | number | string[]> = {};
  for (const key of SERVER_SETTINGS) {
    const value = read(key);
    if (typeof value === "string" && value.trim() !== "") {
      options[key] = value.trim();
    } else if (typeof value === "number" && Number.isFinite(value)) {
      options[key] = value;
    } else if (Array.isArray(value)) {
      const items = value
        .filter((item): item is string => typeof item === "string")
        .map((item) => item.trim())
        .filter((item) => item !== "");
      if (items.length > 0) {
        options[key] = items;
      }
    }
  }
  return options;
}

/**
 * The server's environment: the editor's, with the stored API key as `HOWTO_API_KEY`.
 *
 * Without a stored key, an inherited `HOWTO_API_KEY` is kept (a user may set it in their shell).
 */
export function serverEnvironment(
  base: Readonly<Record<string, string | undefined>>,
  apiKey: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined) {
      env[name] = value;
    }
  }
  if (apiKey !== undefined && apiKey !== "") {
    env[API_KEY_ENV] = apiKey;
  }
  env.PYTHONUNBUFFERED = "1";
  return env;
}

/** Whether a configuration change (tested per section) means the server must restart. */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return SERVER_SETTINGS.some((key) => affects(`howto.${key}`)) || affects("howto.interpreter");
}
