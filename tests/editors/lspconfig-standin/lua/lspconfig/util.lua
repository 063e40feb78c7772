-- Stand-in for lspconfig.util (tests only; see ../../README.md): root_pattern.
local M = {}

--- A function of a file name returning the nearest ancestor folder holding any of `...` (globs).
function M.root_pattern(...)
  local patterns = vim.tbl_flatten({ ... })
  return function(startpath)
    local dir = vim.fn.fnamemodify(startpath, ":p:h")
    while true do
      for _, pattern in ipairs(patterns) do
        if vim.fn.glob(dir .. "/" .. pattern, true) ~= "" then
          return dir
        end
      end
      local parent = vim.fn.fnamemodify(dir, ":h")
      if parent == dir then
        return nil
      end
      dir = parent
    end
  end
end

return M
