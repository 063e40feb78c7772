-- Stand-in for lspconfig.configs (tests only; see ../../README.md): registering a server config
-- and its setup(), on Neovim 0.7's vim.lsp.start_client.
local configs = {}

local function make(name, definition)
  local server = { name = name, document_config = definition }

  function server.setup(user_config)
    local config = vim.tbl_deep_extend("force", definition.default_config, user_config or {})
    local clients = {} -- root -> client id

    local function attach(bufnr)
      local file = vim.api.nvim_buf_get_name(bufnr)
      local root = config.root_dir and config.root_dir(file, bufnr) or nil
      if not root and config.single_file_support then
        root = vim.fn.fnamemodify(file, ":p:h")
      end
      if not root then
        return
      end
      if not clients[root] then
        local start = vim.tbl_extend("force", config, { name = name, root_dir = root })
        clients[root] = vim.lsp.start_client(start)
      end
      vim.lsp.buf_attach_client(bufnr, clients[root])
    end

    vim.api.nvim_create_autocmd("FileType", {
      pattern = config.filetypes,
      callback = function(args)
        attach(args.buf)
      end,
    })
    server.manager = { clients = clients }
  end

  return server
end

return setmetatable({}, {
  __newindex = function(_, name, definition)
    rawset(configs, name, make(name, definition))
  end,
  __index = function(_, name)
    return configs[name]
  end,
})
