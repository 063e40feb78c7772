-- Stand-in for nvim-lspconfig's top-level module (tests only; see ../README.md).
local configs = require("lspconfig.configs")

local M = { util = require("lspconfig.util") }

return setmetatable(M, {
  __index = function(_, name)
    return configs[name]
  end,
})
