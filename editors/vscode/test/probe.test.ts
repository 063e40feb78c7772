import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { probe } from "../src/probe";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

test("probe reports the version of an importable module", async () => {
  const result = await probe("python3", env, 15_000, "json");
  assert.equal(result.kind, "ok");
});

test("probe reports a module that is not installed", async () => {
  const result = await probe("python3", env, 15_000, "howto_ls_not_installed_here");
  assert.equal(result.kind, "missing");
  assert.match(result.kind === "missing" ? result.detail : "", /howto_ls_not_installed_here/);
});

test("probe reports an interpreter that does not exist", async () => {
  const result = await probe("/nonexistent/bin/python3", env, 15_000);
  assert.equal(result.kind, "no-interpreter");
});

test("probe reports a module that fails to import, with its last error line", async () => {
  const folder = mkdtempSync(path.join(tmpdir(), "howto-probe-"));
  try {
    writeFileSync(path.join(folder, "broken_mod.py"), "raise RuntimeError('broken on purpose')\n");
    const result = await probe("python3", { ...env, PYTHONPATH: folder }, 15_000, "broken_mod");
    assert.deepEqual(result, { kind: "failed", detail: "RuntimeError: broken on purpose" });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
