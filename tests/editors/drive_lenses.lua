-- Drive howto-ls's code lenses from Neovim (0.7+), headless, as a user would: ask for the lenses
-- (textDocument/codeLens, then codeLens/resolve) through the client, show them with
-- vim.lsp.codelens.refresh(), run the lens on HOWTO_LINE with vim.lsp.codelens.run(), let the
-- server's workspace/applyEdit land, save, quit.
-- Inputs (environment): HOWTO_ROOT, HOWTO_FILE, HOWTO_LINE (0-based line of the lens to run),
-- HOWTO_CMD (JSON list: the server to start) and HOWTO_LENSES_OUT, a file that gets a JSON
-- object: "requested" (each lens's first line -> the title codeLens/resolve gave), "shown" (each
-- line -> the virtual text Neovim drew above it) and "run" (the title of the lens that ran).
local function fail(message)
  io.stderr:write("drive_lenses.lua: " .. message .. "\n")
  vim.cmd("cquit 1")
end

local ok, err = pcall(function()
  local file = vim.fn.fnamemodify(os.getenv("HOWTO_FILE"), ":p")
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local cmd = vim.fn.json_decode(os.getenv("HOWTO_CMD"))
  local client_id = vim.lsp.start_client({ name = "howto-ls", cmd = cmd, root_dir = os.getenv("HOWTO_ROOT") })
  if not client_id then
    fail("could not start " .. table.concat(cmd, " "))
  end
  vim.lsp.buf_attach_client(bufnr, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  local ready = vim.wait(20000, function()
    return client.initialized or (client.server_capabilities ~= nil and next(client.server_capabilities) ~= nil)
  end, 20)
  if not ready then
    fail("the server did not initialize")
  end
  local out = { requested = {}, shown = {} }

  -- The requests themselves, through the client.
  local params = { textDocument = vim.lsp.util.make_text_document_params(bufnr) }
  local answer = client.request_sync("textDocument/codeLens", params, 20000, bufnr)
  if not answer or answer.err then
    fail("textDocument/codeLens failed: " .. vim.inspect(answer))
  end
  for _, lens in ipairs(answer.result or {}) do
    if lens.command then
      fail("a lens came resolved: " .. vim.inspect(lens))
    end
    local resolved = client.request_sync("codeLens/resolve", lens, 20000, bufnr)
    if not resolved or resolved.err or not resolved.result.command then
      fail("codeLens/resolve failed: " .. vim.inspect(resolved))
    end
    out.requested[tostring(lens.range.start.line)] = resolved.result.command.title
  end

  -- What a user sees: vim.lsp.codelens draws each resolved lens as virtual text on its line.
  vim.lsp.codelens.refresh()
  local namespace = vim.lsp.codelens.__namespaces[client_id]
  local function drawn()
    local shown, count = {}, 0
    for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(bufnr, namespace, 0, -1, { details = true })) do
      local texts = {}
      for _, chunk in ipairs(mark[4].virt_text or {}) do
        table.insert(texts, chunk[1])
      end
      shown[tostring(mark[2])] = table.concat(texts)
      count = count + 1
    end
    return shown, count
  end
  local settled = vim.wait(20000, function()
    local lenses = vim.lsp.codelens.get(bufnr)
    if #lenses == 0 then
      return false
    end
    for _, lens in ipairs(lenses) do
      if not lens.command then
        return false
      end
    end
    local shown, count = drawn()
    for _, text in pairs(shown) do
      if text:find("Unresolved", 1, true) then
        return false
      end
    end
    return count == #lenses
  end, 20)
  if not settled then
    fail("the lenses were not all resolved and drawn: " .. vim.inspect(vim.lsp.codelens.get(bufnr)))
  end
  out.shown = drawn()

  -- Run the lens on HOWTO_LINE, as :lua vim.lsp.codelens.run() with the cursor there does.
  local line = tonumber(os.getenv("HOWTO_LINE"))
  for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
    if lens.range.start.line == line then
      out.run = lens.command.title
    end
  end
  vim.api.nvim_win_set_cursor(0, { line + 1, 0 })
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  vim.lsp.codelens.run()
  local changed = vim.wait(60000, function()
    return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick
  end, 20)
  if not changed then
    fail("running the lens on line " .. line .. " brought no edit")
  end
  vim.cmd("write")

  local handle = assert(io.open(os.getenv("HOWTO_LENSES_OUT"), "w"))
  handle:write(vim.fn.json_encode(out))
  handle:close()
  vim.lsp.stop_client(client.id)
end)
if not ok then
  fail(tostring(err))
end
vim.cmd("qall!")
