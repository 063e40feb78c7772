import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyAction, generatePreference, isStaleGuide, pickAction } from "../src/actions";

test("classifyAction recognises the three server actions", () => {
  assert.equal(classifyAction("Generate how-to doc"), "docstring");
  assert.equal(classifyAction("Generate how-to doc in sidecar .md"), "sidecar");
  assert.equal(classifyAction("Regenerate how-to doc"), "regenerate");
  assert.equal(classifyAction("Organize imports"), undefined);
});

test("pickAction follows the target setting", () => {
  const actions = [
    { title: "Extract method" },
    { title: "Generate how-to doc in sidecar .md" },
    { title: "Generate how-to doc" },
  ];
  assert.equal(pickAction(actions, generatePreference("docstring"))?.title, "Generate how-to doc");
  assert.equal(
    pickAction(actions, generatePreference("sidecar"))?.title,
    "Generate how-to doc in sidecar .md",
  );
  assert.equal(
    pickAction([{ title: "Regenerate how-to doc" }], generatePreference("docstring"))?.title,
    "Regenerate how-to doc",
  );
  assert.equal(
    pickAction([{ title: "Extract method" }], generatePreference("docstring")),
    undefined,
  );
});

test("isStaleGuide accepts only howto-ls's stale reports", () => {
  assert.equal(
    isStaleGuide({ source: "howto-ls", code: "stale-guide", message: "Guide is out of date" }),
    true,
  );
  assert.equal(isStaleGuide({ source: "howto-ls", message: "The how-to guide is stale" }), true);
  assert.equal(isStaleGuide({ source: "howto-ls", code: { value: "stale" }, message: "x" }), true);
  assert.equal(isStaleGuide({ source: "Pylance", message: "stale import" }), false);
  assert.equal(isStaleGuide({ source: "howto-ls", message: "Syntax error" }), false);
});
