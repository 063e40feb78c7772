-- Drive howto-ls from Neovim (0.7+), headless: open a file, run a code action through the real
-- vim.lsp.buf.code_action path, let the server's workspace/applyEdit land, save, quit.
-- Inputs (environment): HOWTO_CMD (JSON list), HOWTO_ROOT, HOWTO_FILE, HOWTO_LINE, HOWTO_COL
-- (0-based, bytes), HOWTO_ACTION (title to pick).
local function fail(message)
  io.stderr:write("drive.lua: " .. message .. "\n")
  vim.cmd("cquit 1")
end

local ok, err = pcall(function()
  local cmd = vim.fn.json_decode(os.getenv("HOWTO_CMD"))
  local root = os.getenv("HOWTO_ROOT")
  local wanted = os.getenv("HOWTO_ACTION")
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("HOWTO_FILE")))
  local bufnr = vim.api.nvim_get_current_buf()

  local client_id = vim.lsp.start_client({ name = "howto-ls", cmd = cmd, root_dir = root })
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

  -- Pick the wanted entry when the code-action menu opens, as a person would.
  local offered = {}
  vim.ui.select = function(items, opts, on_choice)
    for index, item in ipairs(items) do
      local action = item[2] or item.action or item
      local title = action.title or ""
      table.insert(offered, title)
      if title == wanted then
        return on_choice(item, index)
      end
    end
    on_choice(nil, nil)
  end

  vim.api.nvim_win_set_cursor(0, { tonumber(os.getenv("HOWTO_LINE")) + 1, tonumber(os.getenv("HOWTO_COL")) })
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  vim.lsp.buf.code_action()
  local changed = vim.wait(60000, function()
    return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick
  end, 20)
  if not changed then
    fail("no edit arrived; actions offered: " .. table.concat(offered, " | "))
  end
  vim.cmd("write")
  vim.lsp.stop_client(client_id)
end)
if not ok then
  fail(tostring(err))
end
vim.cmd("qall!")
