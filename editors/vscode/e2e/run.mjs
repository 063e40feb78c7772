// End-to-end test: the packaged extension in code-server (VS Code 1.100), driven by headless Chromium.
//
//   node run.mjs --vsix ../../../test-artifacts/howto-ls-0.1.0.vsix --artifacts DIR
//
// It installs the .vsix, opens a Python project in a folder whose name has a space and non-ASCII
// letters ("proj ünï 名前") with an interpreter that lacks howto-ls, lets the extension install it,
// runs "Generate how-to doc" from the Ctrl+. menu, saves, checks the docstring on disk, hovers the
// function, runs the palette command on a second function, reads and clicks the code lenses, then
// sets an API key and cancels a slow model request, and keeps screenshots. Every wait is bounded; code-server and Chromium are
// killed at the end; all state lives in a temp dir. Exit status: 0 all checks passed, 1 a check
// failed.

import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs, promisify } from "node:util";
import { chromium } from "playwright-core";

const run = promisify(execFile);
const here = path.dirname(new URL(import.meta.url).pathname);
const { values: opts } = parseArgs({
  options: {
    vsix: { type: "string" },
    artifacts: { type: "string", default: path.resolve(here, "../../../test-artifacts") },
    browser: {
      type: "string",
      default: process.env.CHROMIUM ?? "/usr/bin/chromium-headless-shell",
    },
    deadline: { type: "string", default: process.env.HOWTO_E2E_DEADLINE ?? "300" },
    keep: { type: "boolean", default: false },
  },
});
if (!opts.vsix) {
  console.error("e2e: --vsix is required (ci.sh passes it)");
  process.exit(2);
}
const vsix = path.resolve(opts.vsix);
const artifacts = path.resolve(opts.artifacts);
mkdirSync(artifacts, { recursive: true });
const codeServer = path.join(here, "node_modules", ".bin", "code-server");

const root = mkdtempSync(path.join(tmpdir(), "howto-vscode-e2e-"));
const dirs = Object.fromEntries(
  ["home", "config", "data", "cache", "state", "tmp", "user-data", "extensions", "chromium"].map(
    (name) => [name, path.join(root, name)],
  ),
);
// The workspace folder's name has a space and non-ASCII letters: VS Code percent-encodes both in
// every document URI it sends, and the server must still find the file.
dirs.project = path.join(root, "proj ünï 名前");
for (const dir of Object.values(dirs)) {
  mkdirSync(dir, { recursive: true });
}
const env = {
  PATH: process.env.PATH,
  LANG: "C.UTF-8",
  HOME: dirs.home,
  XDG_CONFIG_HOME: dirs.config,
  XDG_DATA_HOME: dirs.data,
  XDG_CACHE_HOME: dirs.cache,
  XDG_STATE_HOME: dirs.state,
  XDG_RUNTIME_DIR: dirs.tmp,
  TMPDIR: dirs.tmp,
  PYTHONDONTWRITEBYTECODE: "1",
};

const children = [];
let browser;
const results = [];

function log(message) {
  console.log(`e2e: ${message}`);
}

function check(name, ok, detail = "") {
  results.push({ name, ok, detail });
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
  return ok;
}

function killAll() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

const deadlineSeconds = Number(opts.deadline);
const watchdog = setTimeout(() => {
  console.error(
    `e2e: FAIL — the whole run exceeded ${deadlineSeconds} s; killing code-server and Chromium`,
  );
  killAll();
  process.exit(1);
}, deadlineSeconds * 1000);

/** Starts a process in its own group, logging its output to a file in the artifacts. */
function start(command, args, logName) {
  const out = path.join(artifacts, logName);
  const child = spawn(command, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const chunks = [];
  child.stdout.on("data", (d) => chunks.push(d));
  child.stderr.on("data", (d) => chunks.push(d));
  child.on("close", () => writeFileSync(out, Buffer.concat(chunks)));
  return child;
}

async function freePort() {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  return port;
}

async function waitFor(what, probe, timeoutMs, everyMs = 250) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const value = await probe();
      if (value) {
        return value;
      }
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${last.message})` : ""}`,
  );
}

const SITE_PATHS =
  "import json, sysconfig; p = sysconfig.get_paths(); print(json.dumps(sorted({p['purelib'], p['platlib']})))";

const SOURCE = `"""Small geometry helpers."""

import math


def circle_area(radius: float) -> float:
    if radius < 0:
        raise ValueError("radius must be non-negative")
    return math.pi * radius**2


def scale(points: list[tuple[float, float]], factor: float) -> list[tuple[float, float]]:
    return [(x * factor, y * factor) for x, y in points]


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(value, high))


def perimeter(width: float, height: float) -> float:
    return 2 * (width + height)
`;

/** Every file under `dir`, recursively. */
function filesUnder(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      found.push(...filesUnder(full));
    } else if (entry.isFile()) {
      found.push(full);
    }
  }
  return found;
}

/** The extension's own log (the "howto-ls" output channel) as code-server wrote it to disk. */
function extensionLog() {
  const logs = path.join(dirs["user-data"], "logs");
  return filesUnder(logs)
    .filter((f) => f.endsWith(path.join("howto-ls.howto-ls", "howto-ls.log")))
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
}

async function runPaletteCommand(page, title) {
  await page.keyboard.press("F1");
  await page.locator(".quick-input-widget input").waitFor({ state: "visible" });
  await page.keyboard.type(title);
  await page
    .locator(".quick-input-list .monaco-list-row", { hasText: title.replace(/^How-to: /, "") })
    .first()
    .waitFor({ state: "visible" });
  await page.keyboard.press("Enter");
}

// Checks, with Python's own parser, that a function got a guide docstring and its code is unchanged.
const VERIFY = `
import ast, json, sys
old, new = (open(p, encoding="utf-8").read() for p in sys.argv[1:3])
name = sys.argv[3]
def strip(tree):
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \\
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)
tree = ast.parse(new)
func = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
doc = ast.get_docstring(func) or ""
print(json.dumps({
    "same_code": strip(ast.parse(old)) == strip(ast.parse(new)),
    "heading": "How to Use This Code Block" in doc,
    "sections": all(s in doc for s in ("Description", "Execution Steps", "Usage Example")),
    "names_symbol": f"from shapes import {name}" in doc,
    "docstring_first": isinstance(func.body[0], ast.Expr),
}))
`;

async function verifyOnDisk(file, before, name) {
  const snapshot = path.join(root, `${name}.before.py`);
  writeFileSync(snapshot, before);
  // The editor saves by truncating and rewriting the file, and a save the test asked for may
  // still be under way: a read in between sees a shorter file that may even parse. Verify
  // once the file has stopped changing.
  let content = readFileSync(file, "utf8");
  for (let tries = 0; tries < 20; tries++) {
    await new Promise((r) => setTimeout(r, 250));
    const again = readFileSync(file, "utf8");
    if (again === content) break;
    content = again;
  }
  const { stdout } = await run("python3", ["-c", VERIFY, snapshot, file, name], {
    timeout: 20_000,
  });
  return JSON.parse(stdout);
}

async function screenshot(page, name) {
  const file = path.join(artifacts, name);
  try {
    await page.screenshot({ path: file, timeout: 10_000 });
    log(`screenshot ${file}`);
  } catch (error) {
    log(`screenshot ${name} failed: ${error.message}`);
  }
}

/** Puts the cursor on a 1-based line and column with "Go to Line/Column" (Ctrl+G). */
async function goTo(page, line, column) {
  await page.locator(".monaco-editor textarea").first().focus();
  await page.keyboard.press("Control+G");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await page.keyboard.type(`:${line}:${column}`);
  await page.keyboard.press("Enter");
  await input.waitFor({ state: "hidden" });
}

/** The 1-based line of `file` that starts with `prefix`. */
function lineOf(file, prefix) {
  return (
    readFileSync(file, "utf8")
      .split("\n")
      .findIndex((l) => l.startsWith(prefix)) + 1
  );
}

/** Editor text as rendered (visible lines only; enough for the top of a small file). */
async function editorText(page) {
  const text = await page
    .locator(".monaco-editor .view-lines")
    .first()
    .innerText({ timeout: 5_000 });
  return text.replaceAll("\u00a0", " ");
}

/**
 * The text of the code lens drawn right above the editor line that starts with `prefix` (after
 * scrolling it into view with Ctrl+G), or "" when that line has none. A lens is a
 * `.codelens-decoration` widget in a view zone above its line: the nearest line below the
 * widget is the one it belongs to.
 */
async function lensAbove(page, file, prefix) {
  await goTo(page, lineOf(file, prefix), 1);
  const line = page.locator(".monaco-editor .view-line", { hasText: prefix }).first();
  await line.waitFor({ state: "visible" });
  const lineBox = await line.boundingBox();
  const lines = await page
    .locator(".monaco-editor .view-lines .view-line")
    .evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect().top));
  const lenses = page.locator(".monaco-editor .codelens-decoration");
  for (let index = 0; index < (await lenses.count()); index += 1) {
    const box = await lenses.nth(index).boundingBox();
    if (!box || box.y + box.height > lineBox.y + 1) {
      continue;
    }
    const below = Math.min(...lines.filter((top) => top >= box.y + box.height - 1));
    if (Math.abs(below - lineBox.y) < 1) {
      return (await lenses.nth(index).innerText()).trim();
    }
  }
  return "";
}

async function openCodeActionEntry(page, pattern) {
  // The server may still be starting: retry the menu a bounded number of times.
  for (let attempt = 1; attempt <= 20; attempt += 1) {
    await page.keyboard.press("Control+Period");
    const entry = page.locator(".action-widget .monaco-list-row", { hasText: pattern }).first();
    try {
      await entry.waitFor({ state: "visible", timeout: 3_000 });
      return entry;
    } catch {
      log(`code-action menu attempt ${attempt}: no "${pattern}" yet`);
      await page.keyboard.press("Escape");
      await page.waitForTimeout(1_000);
    }
  }
  throw new Error(`the code-action menu never offered ${pattern}`);
}

/** Moves the code-action menu's focus to the entry whose label matches, then runs it with Enter. */
async function chooseFocused(page, label) {
  for (let step = 0; step < 8; step += 1) {
    const focused = page.locator(".action-widget .monaco-list-row.focused").first();
    const name = (await focused.getAttribute("aria-label", { timeout: 5_000 })) ?? "";
    if (label.test(name)) {
      await page.keyboard.press("Enter");
      return;
    }
    await page.keyboard.press("ArrowDown");
  }
  throw new Error(`no entry of the code-action menu matched ${label}`);
}

async function main() {
  // 1. Python: a venv without howto-ls that still sees the system's other packages (howto-ls's
  //    dependencies), so the extension's "Install howto-ls" fix can install its wheel offline.
  const venv = path.join(root, "venv");
  await run("python3", ["-m", "venv", venv], { env, timeout: 120_000 });
  const python = path.join(venv, "bin", "python");
  const sitePaths = JSON.parse(
    (await run("python3", ["-c", SITE_PATHS], { env, timeout: 30_000 })).stdout,
  );
  const mirror = path.join(root, "system-packages");
  mkdirSync(mirror);
  for (const site of sitePaths) {
    for (const entry of readdirSync(site)) {
      if (!/howto_ls/i.test(entry) && !existsSync(path.join(mirror, entry))) {
        symlinkSync(path.join(site, entry), path.join(mirror, entry));
      }
    }
  }
  const venvSite = (
    await run(python, ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], {
      env,
      timeout: 30_000,
    })
  ).stdout.trim();
  writeFileSync(path.join(venvSite, "_system_packages.pth"), `${mirror}\n`);
  const lacks = await run(python, ["-c", "import jedi, pygls; import howto_ls"], {
    env,
    timeout: 30_000,
  }).then(
    () => "howto_ls imports",
    (error) =>
      /No module named 'howto_ls'/.test(error.stderr) ? "" : error.stderr.trim().split("\n").pop(),
  );
  check("the test interpreter has howto-ls's dependencies but not howto-ls", lacks === "", lacks);

  // 2. The project and the user settings.
  const file = path.join(dirs.project, "shapes.py");
  writeFileSync(file, SOURCE);
  const userDir = path.join(dirs["user-data"], "User");
  mkdirSync(userDir, { recursive: true });
  writeFileSync(
    path.join(userDir, "settings.json"),
    JSON.stringify(
      {
        "howto.interpreter": python,
        "howto.backend": "offline",
        "howto.trace.server": "messages",
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "workbench.enableExperiments": false,
        "workbench.welcomePage.walkthroughs.openOnInstall": false,
        "security.workspace.trust.enabled": false,
        "telemetry.telemetryLevel": "off",
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "extensions.ignoreRecommendations": true,
        "update.mode": "none",
        "chat.disableAIFeatures": true,
        "files.autoSave": "off",
        "editor.hover.delay": 200,
        "editor.minimap.enabled": false,
        "window.commandCenter": false,
      },
      null,
      2,
    ),
  );

  // 3. Install the .vsix the way a user does.
  const dirsArgs = ["--user-data-dir", dirs["user-data"], "--extensions-dir", dirs.extensions];
  const installed = await run(codeServer, [...dirsArgs, "--install-extension", vsix], {
    env,
    timeout: 120_000,
  });
  check(
    "code-server installs the .vsix",
    /successfully installed/i.test(installed.stdout + installed.stderr),
    (installed.stdout + installed.stderr).trim().split("\n").pop(),
  );

  // 4. code-server on loopback.
  const port = await freePort();
  const server = start(
    codeServer,
    [
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--auth",
      "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      ...dirsArgs,
      dirs.project,
    ],
    "code-server.log",
  );
  await waitFor(
    "code-server to answer",
    async () => {
      if (server.exitCode !== null) {
        throw new Error(`code-server exited with ${server.exitCode}`);
      }
      return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
    },
    60_000,
  );
  log(`code-server on 127.0.0.1:${port}`);

  // 5. Headless Chromium, driven over the DevTools protocol.
  const chrome = start(
    opts.browser,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      `--user-data-dir=${dirs.chromium}`,
      "--window-size=1280,800",
      "about:blank",
    ],
    "chromium.log",
  );
  let stderr = "";
  chrome.stderr.on("data", (d) => {
    stderr += d.toString();
  });
  const wsUrl = await waitFor(
    "Chromium's DevTools endpoint",
    () => /ws:\/\/\S+/.exec(stderr)?.[0],
    30_000,
    100,
  );
  browser = await chromium.connectOverCDP(wsUrl, { timeout: 30_000 });
  const context = browser.contexts()[0] ?? (await browser.newContext());
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  page.setDefaultTimeout(20_000);

  // Encoded as VS Code itself writes it (a space is %20, each non-ASCII byte %XX).
  const fileUri = `vscode-remote://127.0.0.1:${port}${file.split("/").map(encodeURIComponent).join("/")}`;
  const payload = encodeURIComponent(JSON.stringify([["openFile", fileUri]]));
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.project)}&payload=${payload}`;
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60_000 });
  await page
    .locator(".monaco-editor .view-line", { hasText: "def circle_area" })
    .first()
    .waitFor({ timeout: 60_000 });
  check("code-server opens shapes.py in the editor", true);
  const windowTitle = await page.title();
  check(
    'the workspace folder is "proj ünï 名前" (a space and non-ASCII letters)',
    windowTitle.includes(path.basename(dirs.project)),
    windowTitle,
  );

  try {
    // 5b. howto-ls is missing from the interpreter: the extension says so and installs its wheel.
    const missing = page
      .locator(".notifications-toasts .notification-toast", {
        hasText: "howto-ls is not installed",
      })
      .first();
    await missing.waitFor({ state: "visible", timeout: 60_000 });
    await screenshot(page, "vscode-missing-howto-ls.png");
    check(
      "a notification says howto-ls is missing from the chosen interpreter",
      (await missing.innerText()).includes(python),
    );
    await missing.locator(".monaco-button", { hasText: "Install howto-ls" }).first().click();
    await page
      .locator(".notifications-toasts .notification-toast", { hasText: "howto-ls installed into" })
      .first()
      .waitFor({ state: "visible", timeout: 180_000 });
    const { stdout: where } = await run(
      python,
      ["-c", "import howto_ls; print(howto_ls.__file__)"],
      {
        env,
        timeout: 30_000,
      },
    );
    check(
      'its "Install howto-ls" button installs the bundled wheel there',
      where.startsWith(venv),
      where.trim(),
    );

    // 6. Ctrl+. on circle_area, choose "Generate how-to doc", save, check the file on disk.
    await page.locator(".monaco-editor .view-line", { hasText: "def circle_area" }).first().click();
    await goTo(page, lineOf(file, "def circle_area"), 7);
    const entry = await openCodeActionEntry(page, /^\s*Generate how-to doc(?! in sidecar)/);
    await screenshot(page, "vscode-code-actions.png");
    await chooseFocused(page, /^Generate how-to doc(?! in sidecar)/);
    await waitFor(
      "the guide in the editor",
      async () => (await editorText(page)).includes("How to Use This Code Block"),
      60_000,
    );
    await page.keyboard.press("Control+S");
    const saved = await waitFor(
      "the saved file on disk",
      () =>
        readFileSync(file, "utf8").includes("How to Use This Code Block") &&
        readFileSync(file, "utf8"),
      20_000,
    );
    const first = await verifyOnDisk(file, SOURCE, "circle_area");
    check(
      "Ctrl+. → Generate how-to doc writes the guide into circle_area's docstring",
      first.heading && first.sections && first.docstring_first,
      JSON.stringify(first),
    );
    check("the guide's example imports circle_area from its module", first.names_symbol);
    check("the code itself is unchanged (AST without docstrings)", first.same_code);

    // 7. Hover the function's name: the guide shows.
    await page.keyboard.press("Control+Home");
    const name = page
      .locator(".monaco-editor .view-line", { hasText: "def circle_area" })
      .first()
      .locator("span > span", { hasText: /^circle_area$/ })
      .first();
    await name.waitFor({ state: "visible" });
    await name.hover();
    const hover = page.locator(".monaco-hover", { hasText: "How to Use This Code Block" }).first();
    let hovered = false;
    for (let attempt = 0; attempt < 5 && !hovered; attempt += 1) {
      try {
        await hover.waitFor({ state: "visible", timeout: 4_000 });
        hovered = true;
      } catch {
        await page.mouse.move(5, 5);
        await name.hover();
      }
    }
    const hoverText = hovered ? await hover.innerText() : "";
    check(
      "hovering circle_area shows its guide",
      hovered && hoverText.includes("Execution Steps"),
      hovered ? "" : "no hover with the guide appeared",
    );
    await screenshot(page, "vscode-hover.png");
    if (hovered) {
      // A tighter crop of the editor and the hover, for the README.
      const box = await hover.boundingBox();
      const editorBox = await page.locator(".monaco-editor").first().boundingBox();
      if (box && editorBox) {
        const clip = {
          x: editorBox.x,
          y: editorBox.y,
          width: Math.min(editorBox.width, box.x + box.width + 24 - editorBox.x),
          height: box.y + box.height + 24 - editorBox.y,
        };
        await page.screenshot({
          path: path.join(artifacts, "vscode-hover-crop.png"),
          clip,
          timeout: 10_000,
        });
      }
    }
    await page.keyboard.press("Escape");

    // 8. The palette command on the second function.
    await goTo(page, lineOf(file, "def scale"), 7);
    await runPaletteCommand(page, "How-to: Generate how-to doc for symbol at cursor");
    await waitFor(
      "the second guide in the editor",
      async () => {
        await page.keyboard.press("Control+S");
        return (readFileSync(file, "utf8").match(/How to Use This Code Block/g) ?? []).length === 2;
      },
      60_000,
      1_000,
    );
    const second = await verifyOnDisk(file, saved, "scale");
    check(
      '"How-to: Generate how-to doc for symbol at cursor" documents scale',
      second.heading && second.sections && second.names_symbol,
      JSON.stringify(second),
    );
    check("circle_area's guide and all code survive the second run", second.same_code);
    await screenshot(page, "vscode-after-commands.png");

    // 8a. Change circle_area's code: its guide goes stale, and "Regenerate stale guides" renews it.
    const fingerprint = (text) => /def circle_area[\s\S]*?fingerprint=(\w+)/.exec(text)?.[1];
    const oldPrint = fingerprint(readFileSync(file, "utf8"));
    await goTo(page, lineOf(file, "    if radius < 0:"), 17);
    await page.keyboard.press("Shift+ArrowRight");
    await page.keyboard.type("1");
    await page.keyboard.press("Control+S");
    await waitFor(
      "the edited code on disk",
      () => readFileSync(file, "utf8").includes("if radius < 1:"),
      20_000,
    );
    let staleTries = 0;
    const staleStart = Date.now();
    const renewed = await waitFor(
      "the stale guide to be regenerated",
      async () => {
        staleTries += 1;
        await runPaletteCommand(page, "How-to: Regenerate stale guides in this file");
        await page.waitForTimeout(1_500);
        await page.keyboard.press("Control+S");
        await page.waitForTimeout(500);
        const text = readFileSync(file, "utf8");
        const now = fingerprint(text);
        return now !== undefined && now !== oldPrint && text;
      },
      60_000,
      500,
    );
    log(`stale guide regenerated after ${staleTries} command runs, ${Date.now() - staleStart} ms`);
    const third = await verifyOnDisk(
      file,
      saved.replace("if radius < 0:", "if radius < 1:"),
      "circle_area",
    );
    check(
      '"How-to: Regenerate stale guides in this file" renews the guide after the code changed',
      third.heading &&
        third.same_code &&
        renewed.includes("below `1`") &&
        (renewed.match(/How to Use This Code Block/g) ?? []).length === 2,
      JSON.stringify(third),
    );

    // 8c. Code lenses: "Generate how-to doc" above functions without a guide, nothing above
    //     fresh guides; clicking one writes the guide; editing code puts a stale lens up.
    const lensTitle = async (prefix, expected) => {
      try {
        await waitFor(
          `the lens above "${prefix}" to read "${expected}"`,
          async () => (await lensAbove(page, file, prefix)) === expected,
          30_000,
          500,
        );
        return expected;
      } catch {
        return lensAbove(page, file, prefix);
      }
    };
    const GENERATE = "Generate how-to doc";
    const STALE = "Guide is stale — regenerate";
    check(
      'a "Generate how-to doc" lens shows above perimeter (no guide)',
      (await lensTitle("def perimeter", GENERATE)) === GENERATE,
    );
    check(
      'a "Generate how-to doc" lens shows above clamp (no guide)',
      (await lensTitle("def clamp", GENERATE)) === GENERATE,
    );
    await screenshot(page, "vscode-code-lenses.png");
    check(
      'a "Generate how-to doc" lens shows above the module docstring (the lenses are drawn)',
      (await lensTitle('"""Small geometry helpers."""', GENERATE)) === GENERATE,
    );
    const freshLenses = [await lensAbove(page, file, "def circle_area")];
    freshLenses.push(await lensAbove(page, file, "def scale"));
    check(
      "no lens above circle_area and scale (fresh guides)",
      freshLenses.every((text) => text === ""),
      JSON.stringify(freshLenses),
    );
    const beforeLens = readFileSync(file, "utf8");
    await lensAbove(page, file, "def perimeter");
    const perimeterLine = page
      .locator(".monaco-editor .view-line", { hasText: "def perimeter" })
      .first();
    const perimeterTop = (await perimeterLine.boundingBox()).y;
    const lensLinks = page.locator(".monaco-editor .codelens-decoration a", { hasText: GENERATE });
    // Clicks the lens drawn right above perimeter; false when none is there.
    const clickPerimeterLens = async () => {
      for (let index = 0; index < (await lensLinks.count()); index += 1) {
        const box = await lensLinks.nth(index).boundingBox();
        if (box && box.y < perimeterTop && perimeterTop - (box.y + box.height) < box.height * 2) {
          await lensLinks.nth(index).click();
          return true;
        }
      }
      return false;
    };
    check("the lens above perimeter is a link to click", await clickPerimeterLens());
    // A click that lands while the lenses are redrawn does nothing; a person clicks again, so
    // the check does too when nothing has happened after a while and the lens is still there.
    let lastClick = Date.now();
    await waitFor(
      "the guide from the lens on disk",
      async () => {
        await page.keyboard.press("Control+S");
        const text = readFileSync(file, "utf8");
        if ((text.match(/How to Use This Code Block/g) ?? []).length === 3) {
          return true;
        }
        if (
          text === beforeLens &&
          Date.now() - lastClick > 15_000 &&
          (await clickPerimeterLens())
        ) {
          lastClick = Date.now();
          console.log("e2e: the lens above perimeter clicked again");
        }
        return false;
      },
      60_000,
      1_000,
    );
    const fromLens = await verifyOnDisk(file, beforeLens, "perimeter");
    check(
      'clicking "Generate how-to doc" above perimeter writes its guide',
      fromLens.heading && fromLens.sections && fromLens.names_symbol,
      JSON.stringify(fromLens),
    );
    check("the code is unchanged by the lens's guide", fromLens.same_code);
    check(
      "no lens above perimeter once it has its guide",
      (await lensTitle("def perimeter", "")) === "",
    );
    await goTo(page, lineOf(file, "    return [(x * factor"), 14);
    await page.keyboard.type("0 + ");
    await waitFor(
      "the edit in the editor",
      async () => (await editorText(page)).includes("[(0 + x * factor"),
      10_000,
    ).catch(() => false);
    check(
      'editing scale\'s code puts "Guide is stale — regenerate" above it',
      (await lensTitle("def scale", STALE)) === STALE,
    );
    await screenshot(page, "vscode-code-lens-stale.png");
    await page.keyboard.press("Control+S");
    await waitFor(
      "the edited code on disk",
      () => readFileSync(file, "utf8").includes("[(0 + x * factor"),
      20_000,
    );

    // 8b. A setting changed in the Settings editor restarts the server with it: with
    //     howto.hover = preview, hovering a function without a guide shows an instant preview.
    const clampName = async () => {
      await goTo(page, lineOf(file, "def clamp"), 7);
      const name = page
        .locator(".monaco-editor .view-line", { hasText: "def clamp" })
        .first()
        .locator("span > span", { hasText: /^clamp$/ })
        .first();
      await name.waitFor({ state: "visible" });
      return name;
    };
    const hoverShowsGuide = async (name, tries) => {
      const box = page.locator(".monaco-hover", { hasText: "How to Use This Code Block" }).first();
      for (let attempt = 0; attempt < tries; attempt += 1) {
        await page.mouse.move(5, 5);
        await name.hover();
        try {
          await box.waitFor({ state: "visible", timeout: 3_000 });
          return true;
        } catch {
          // not (yet) shown
        }
      }
      return false;
    };
    check(
      "with howto.hover = guide, a function without a guide gets no guide hover",
      !(await hoverShowsGuide(await clampName(), 1)),
    );
    await page.keyboard.press("Escape");
    const restartsBefore = (extensionLog().match(/Starting howto-ls \(settings changed\)/g) ?? [])
      .length;
    await runPaletteCommand(page, "Preferences: Open Settings (UI)");
    await page.keyboard.type("howto.hover");
    const select = page
      .locator(".settings-editor .setting-item", { hasText: "What hovering a Python symbol shows" })
      .locator("select")
      .first();
    await select.waitFor({ state: "visible" });
    await select.focus();
    await page.keyboard.press("Enter");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await waitFor(
      "the server to restart after the setting changed",
      () =>
        (extensionLog().match(/Starting howto-ls \(settings changed\)/g) ?? []).length >
        restartsBefore,
      30_000,
    );
    const settingsNow = JSON.parse(
      readFileSync(path.join(dirs["user-data"], "User", "settings.json"), "utf8"),
    );
    check(
      "changing howto.hover in the Settings editor restarts the server",
      settingsNow["howto.hover"] === "preview",
      JSON.stringify(settingsNow["howto.hover"]),
    );
    await page.keyboard.press("Control+W");
    await page
      .locator(".monaco-editor .view-lines .view-line")
      .first()
      .waitFor({ state: "visible" });
    check(
      "after the restart, hovering it shows the offline preview",
      await hoverShowsGuide(await clampName(), 10),
    );
    await screenshot(page, "vscode-hover-preview.png");
    await page.keyboard.press("Escape");

    // 9. A model: a slow fake OpenAI-compatible server; the key goes in through "Set API key".
    const key = `sk-e2e-${randomUUID()}`;
    const model = spawn(python, [path.join(here, "fake_model.py")], {
      env,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    children.push(model);
    let modelOut = "";
    model.stdout.on("data", (d) => {
      modelOut += d.toString();
    });
    model.stdin.write(`${key}\n`);
    const baseUrl = await waitFor(
      "the fake model's URL",
      () => /^URL (\S+)$/m.exec(modelOut)?.[1],
      30_000,
      100,
    );
    const settingsFile = path.join(dirs["user-data"], "User", "settings.json");
    const settings = JSON.parse(readFileSync(settingsFile, "utf8"));
    Object.assign(settings, {
      "howto.backend": "openai",
      "howto.baseUrl": baseUrl,
      "howto.model": "fake-model",
    });
    writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
    // code-server does not notice settings.json edited behind its back; a reload reads it again.
    await page.reload({ waitUntil: "domcontentloaded", timeout: 60_000 });
    await page
      .locator(".monaco-editor .view-lines .view-line", { hasText: "def clamp" })
      .first()
      .waitFor({ timeout: 60_000 });
    await page
      .locator(".monaco-editor .view-lines .view-line", { hasText: "def clamp" })
      .first()
      .click();
    await runPaletteCommand(page, "How-to: Set API key");
    const secret = page.locator('.quick-input-widget input[type="password"]');
    await secret.waitFor({ state: "visible" });
    await page.keyboard.type(key);
    await page.keyboard.press("Enter");
    await secret.waitFor({ state: "hidden" });
    const port = new URL(baseUrl).port;
    await waitFor(
      "the server to restart with the key and the model",
      () => {
        const text = extensionLog();
        const after = text.slice(text.lastIndexOf("API key from SecretStorage"));
        return (
          text.includes("API key from SecretStorage") &&
          after.includes("guides from") &&
          after.includes(port)
        );
      },
      60_000,
    );
    check('after "How-to: Set API key" and new settings the server restarts on the model', true);
    await page.waitForTimeout(1_500); // let a second, debounced restart settle

    await goTo(page, lineOf(file, "def clamp"), 7);
    const onDisk = readFileSync(file, "utf8");
    const generate = await openCodeActionEntry(page, /^\s*Generate how-to doc(?! in sidecar)/);
    void generate;
    await chooseFocused(page, /^Generate how-to doc(?! in sidecar)/);
    const toast = page
      .locator(".notifications-toasts .notification-toast", { hasText: "Generate how-to doc" })
      .first();
    await toast.waitFor({ state: "visible", timeout: 30_000 });
    const asked = await waitFor(
      "the model request",
      () => /^REQUEST (.*)$/m.exec(modelOut)?.[1],
      30_000,
      100,
    );
    check(
      "the model request carries the stored API key",
      JSON.parse(asked).authorized === true,
      asked,
    );
    await screenshot(page, "vscode-progress.png");
    const cancel = toast.locator(".monaco-button", { hasText: "Cancel" }).first();
    check("progress shows as a notification with a Cancel button", await cancel.isVisible());
    await cancel.click();
    let closed = true;
    try {
      await toast.waitFor({ state: "hidden", timeout: 15_000 });
    } catch {
      closed = false;
    }
    check("Cancel closes the progress notification", closed);
    const dropped = await waitFor(
      "the server to drop the model request",
      () => modelOut.includes('"disconnected": true'),
      15_000,
      200,
    ).catch(() => false);
    check("cancelling stops the model request (the connection is closed)", dropped === true);
    await page.waitForTimeout(1_000);
    const title = await page.title();
    check(
      "the cancelled run leaves the file untouched",
      !title.startsWith("●") && readFileSync(file, "utf8") === onDisk,
      title,
    );
    const leaks = [
      ...filesUnder(path.join(dirs["user-data"], "logs")),
      ...filesUnder(artifacts).filter((f) => f.endsWith(".log")),
    ].filter((f) => readFileSync(f, "utf8").includes(key));
    check("the API key appears in no log", leaks.length === 0, leaks.join(", "));
    model.stdin.end();
  } catch (error) {
    await screenshot(page, "vscode-failure.png");
    throw error;
  }
}

let failedHard = false;
try {
  await main();
} catch (error) {
  failedHard = true;
  check("the end-to-end run completes", false, error.message);
} finally {
  try {
    await Promise.race([browser?.close(), new Promise((r) => setTimeout(r, 5_000))]);
  } catch {
    // the browser process is killed below anyway
  }
  killAll();
  clearTimeout(watchdog);
  try {
    cpSync(path.join(dirs["user-data"], "logs"), path.join(artifacts, "code-server-logs"), {
      recursive: true,
    });
  } catch {
    // no logs written
  }
  const extensionLog = path.join(artifacts, "e2e-result.json");
  writeFileSync(extensionLog, JSON.stringify(results, null, 2));
  if (!opts.keep) {
    rmSync(root, { recursive: true, force: true });
  } else {
    log(`kept ${root}`);
  }
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || failedHard ? 1 : 0);
