import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { SERVER_SETTINGS } from "../src/settings";

const root = path.resolve(__dirname, "..", "..");
const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const properties: Record<
  string,
  { enum?: string[]; description?: string; markdownDescription?: string }
> = manifest.contributes.configuration.properties;
const configPy = readFileSync(path.join(root, "..", "..", "howto_ls", "config.py"), "utf8");

function pythonTuple(name: string): string[] {
  const match = new RegExp(`^${name} = \\(([^)]*)\\)`, "m").exec(configPy);
  assert.ok(match, `${name} not found in howto_ls/config.py`);
  return [...match[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

test("every server setting is contributed, described, and known to the server", () => {
  const lspNames = /LSP_NAMES = \{([^}]*)\}/.exec(configPy)?.[1] ?? "";
  const serverKeys = [...lspNames.matchAll(/"(\w+)":/g)].map((m) => m[1]);
  assert.deepEqual([...SERVER_SETTINGS].sort(), serverKeys.sort());
  for (const key of [...SERVER_SETTINGS, "interpreter"]) {
    const property = properties[`howto.${key}`];
    assert.ok(property, `howto.${key} is not contributed`);
    assert.ok(
      property.description ?? property.markdownDescription,
      `howto.${key} has no description`,
    );
  }
});

test("enums match the server's accepted values", () => {
  assert.deepEqual(properties["howto.backend"].enum, pythonTuple("BACKENDS"));
  assert.deepEqual(properties["howto.target"].enum, pythonTuple("TARGETS"));
  assert.deepEqual(properties["howto.hover"].enum, pythonTuple("HOVER_MODES"));
  assert.deepEqual(properties["howto.codeLens"].enum, pythonTuple("CODE_LENS_MODES"));
  assert.deepEqual(properties["howto.structuredOutput"].enum, pythonTuple("STRUCTURED_OUTPUT"));
  assert.deepEqual(properties["howto.cache"].enum, pythonTuple("CACHE_MODES"));
  assert.deepEqual(properties["howto.verifyExamples"].enum, pythonTuple("VERIFY_MODES"));
});

test("the API key is a command, never a setting", () => {
  assert.ok(
    !Object.keys(properties).some((key) => /api.?key|secret|password|credential|\.key$/i.test(key)),
  );
  const commands: { command: string; title: string; category: string }[] =
    manifest.contributes.commands;
  const titles = Object.fromEntries(commands.map((c) => [c.command, `${c.category}: ${c.title}`]));
  assert.equal(titles["howto.setApiKey"], "How-to: Set API key");
  assert.equal(
    titles["howto.generateAtCursor"],
    "How-to: Generate how-to doc for symbol at cursor",
  );
  assert.equal(titles["howto.regenerateStale"], "How-to: Regenerate stale guides in this file");
  assert.ok(titles["howto.restartServer"] && titles["howto.showLog"]);
  assert.equal(titles["howto.clearGuideCache"], "How-to: Clear guide cache");
});
