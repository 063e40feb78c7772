"""``python -m howto_ls``: the same as the ``howto-ls`` command."""

from howto_ls.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
