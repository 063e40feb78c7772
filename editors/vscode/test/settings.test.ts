import assert from "node:assert/strict";
import { test } from "node:test";
import {
  API_KEY_ENV,
  initializationOptions,
  needsRestart,
  SERVER_SETTINGS,
  serverEnvironment,
} from "../src/settings";

test("initializationOptions keeps set values under their camelCase names", () => {
  const values: Record<string, unknown> = {
    backend: "openai",
    baseUrl: " http://localhost:11434/v1 ",
    model: "qwen2.5-coder",
    timeout: 30,
    maxConcurrency: 2,
    maxTokens: 700,
    structuredOutput: "off",
    interpreter: "/usr/bin/python3",
  };
  assert.deepEqual(
    initializationOptions((key) => values[key]),
    {
      backend: "openai",
      baseUrl: "http://localhost:11434/v1",
      model: "qwen2.5-coder",
      timeout: 30,
      maxConcurrency: 2,
      maxTokens: 700,
      structuredOutput: "off",
    },
  );
});

test("initializationOptions passes pattern lists on, without blanks", () => {
  const values: Record<string, unknown> = { exclude: [" vendor/ ", "", 3, "*.local.py"] };
  assert.deepEqual(
    initializationOptions((key) => values[key]),
    {
      exclude: ["vendor/", "*.local.py"],
    },
  );
  const blank: Record<string, unknown> = { exclude: [" "] };
  assert.deepEqual(
    initializationOptions((key) => blank[key]),
    {},
  );
});

test("initializationOptions leaves out empty text and non-finite numbers", () => {
  const values: Record<string, unknown> = {
    model: "",
    baseUrl: "   ",
    timeout: Number.NaN,
    hover: "off",
  };
  assert.deepEqual(
    initializationOptions((key) => values[key]),
    { hover: "off" },
  );
});

test("serverEnvironment hands the stored key over and keeps the rest", () => {
  const env = serverEnvironment({ PATH: "/bin", HOWTO_API_KEY: "old", GONE: undefined }, "sk-new");
  assert.equal(env[API_KEY_ENV], "sk-new");
  assert.equal(env.PATH, "/bin");
  assert.ok(!("GONE" in env));
});

test("serverEnvironment keeps an inherited key when none is stored", () => {
  assert.equal(
    serverEnvironment({ HOWTO_API_KEY: "from-shell" }, undefined)[API_KEY_ENV],
    "from-shell",
  );
  assert.ok(!(API_KEY_ENV in serverEnvironment({ PATH: "/bin" }, "")));
});

test("needsRestart reacts to every server setting and the interpreter, not to others", () => {
  for (const key of [...SERVER_SETTINGS, "interpreter"]) {
    assert.equal(
      needsRestart((section) => section === `howto.${key}`),
      true,
      key,
    );
  }
  assert.equal(
    needsRestart((section) => section === "editor.fontSize"),
    false,
  );
  assert.equal(
    needsRestart((section) => section === "howto.trace.server"),
    false,
  );
});
