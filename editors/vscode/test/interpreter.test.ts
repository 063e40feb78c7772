import assert from "node:assert/strict";
import { test } from "node:test";
import {
  chooseInterpreter,
  expandPath,
  installArguments,
  installFailedMessage,
} from "../src/interpreter";

const home = "/home/ada";

test("the howto.interpreter setting wins over the Python extension", () => {
  assert.deepEqual(
    chooseInterpreter({ setting: "/opt/py/bin/python", pythonExtension: "/venv/bin/python", home }),
    { path: "/opt/py/bin/python", source: "setting" },
  );
});

test("without a setting the Python extension's interpreter is used", () => {
  assert.deepEqual(
    chooseInterpreter({ setting: "  ", pythonExtension: "/venv/bin/python", home }),
    {
      path: "/venv/bin/python",
      source: "python-extension",
    },
  );
});

test("without either, python3 from PATH", () => {
  assert.deepEqual(chooseInterpreter({ home }), { path: "python3", source: "default" });
  assert.deepEqual(chooseInterpreter({ setting: "", pythonExtension: "", home }), {
    path: "python3",
    source: "default",
  });
});

test("expandPath expands ~, ${userHome} and ${workspaceFolder}", () => {
  const where = { home, workspaceFolder: "/work/proj" };
  assert.equal(expandPath("~/.venvs/a/bin/python", where), "/home/ada/.venvs/a/bin/python");
  assert.equal(expandPath("${userHome}/py", where), "/home/ada/py");
  assert.equal(
    expandPath("${workspaceFolder}/.venv/bin/python", where),
    "/work/proj/.venv/bin/python",
  );
});

test("expandPath resolves relative paths in the workspace and keeps bare commands", () => {
  const where = { home, workspaceFolder: "/work/proj" };
  assert.equal(expandPath(".venv/bin/python", where), "/work/proj/.venv/bin/python");
  assert.equal(expandPath("python3.12", where), "python3.12");
  assert.equal(expandPath("~other/python", where), "/work/proj/~other/python");
});

test("installArguments prefers the bundled wheel", () => {
  assert.deepEqual(installArguments("/ext/bundled/howto_ls-0.1.0-py3-none-any.whl"), [
    "-m",
    "pip",
    "install",
    "--upgrade",
    "/ext/bundled/howto_ls-0.1.0-py3-none-any.whl",
  ]);
  assert.deepEqual(installArguments(undefined).at(-1), "howto-ls");
});

test("a failed install without a bundled wheel says how to install howto-ls by hand", () => {
  const wheel = "/ext/bundled/howto_ls-0.1.0-py3-none-any.whl";
  assert.equal(
    installFailedMessage("/venv/bin/python", wheel),
    "pip could not install howto-ls into /venv/bin/python; see the log for its output.",
  );
  const fromPyPI = installFailedMessage("/venv/bin/python", undefined);
  assert.match(fromPyPI, /not on PyPI yet/);
  assert.match(fromPyPI, /\/venv\/bin\/python -m pip install \/path\/to\/howto-ls/);
  assert.match(fromPyPI, /python -m build/);
});
