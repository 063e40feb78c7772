-- Drive howto-ls from Neovim (0.7+), headless: open a file, run a code action through the real
-- vim.lsp.buf.code_action path, let the server's workspace/applyEdit land, save, quit.
-- Inputs (environment): HOWTO_ROOT, HOWTO_FILE, HOWTO_LINE, HOWTO_COL (0-based, bytes),
-- HOWTO_ACTION (title to pick), and either HOWTO_CMD (JSON list: start that server here) or, when
-- it is unset, HOWTO_CLIENT (the name of the client the user's configuration attached to the
-- file, which must have HOWTO_ROOT as its root folder). With HOWTO_HOVER_OUT set, it then hovers
-- the same position through vim.lsp.buf.hover and writes the text of the float to that file.
local function fail(message)
  io.stderr:write("drive.lua: " .. message .. "\n")
  vim.cmd("cquit 1")
end

local function attached_client(bufnr, name)
  local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)()
  for _, client in ipairs(clients) do
    if client.name == name and vim.lsp.buf_is_attached(bufnr, client.id) then
      return client
    end
  end
  return nil
end

local ok, err = pcall(function()
  local root = os.getenv("HOWTO_ROOT")
  local wanted = os.getenv("HOWTO_ACTION")
  local file = vim.fn.fnamemodify(os.getenv("HOWTO_FILE"), ":p")
  if vim.fn.fnamemodify(vim.api.nvim_buf_get_name(0), ":p") ~= file then
    vim.cmd("edit " .. vim.fn.fnameescape(file))
  end
  local bufnr = vim.api.nvim_get_current_buf()

  local client
  if os.getenv("HOWTO_CMD") then
    local cmd = vim.fn.json_decode(os.getenv("HOWTO_CMD"))
    local client_id = vim.lsp.start_client({ name = "howto-ls", cmd = cmd, root_dir = root })
    if not client_id then
      fail("could not start " .. table.concat(cmd, " "))
    end
    vim.lsp.buf_attach_client(bufnr, client_id)
    client = vim.lsp.get_client_by_id(client_id)
  else
    local name = os.getenv("HOWTO_CLIENT")
    vim.wait(20000, function()
      return attached_client(bufnr, name) ~= nil
    end, 20)
    client = attached_client(bufnr, name)
    if not client then
      fail("the configuration attached no client named " .. name .. " (filetype " .. vim.bo.filetype .. ")")
    end
    local actual = vim.fn.fnamemodify(client.config.root_dir, ":p")
    if actual ~= vim.fn.fnamemodify(root, ":p") then
      fail("the client's root folder is " .. actual .. ", not " .. root)
    end
  end
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

  local hover_out = os.getenv("HOWTO_HOVER_OUT")
  if hover_out then
    -- The hover float, as a person sees it after K: the first floating window that opens.
    vim.api.nvim_win_set_cursor(0, { tonumber(os.getenv("HOWTO_LINE")) + 1, tonumber(os.getenv("HOWTO_COL")) })
    vim.lsp.buf.hover()
    local shown
    vim.wait(20000, function()
      for _, win in ipairs(vim.api.nvim_list_wins()) do
        if vim.api.nvim_win_get_config(win).relative ~= "" then
          local lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false)
          shown = table.concat(lines, "\n")
          return true
        end
      end
      return false
    end, 20)
    if not shown then
      fail("no hover window opened")
    end
    local out = assert(io.open(hover_out, "w"))
    out:write(shown)
    out:close()
  end
  vim.lsp.stop_client(client.id)
end)
if not ok then
  fail(tostring(err))
end
vim.cmd("qall!")
