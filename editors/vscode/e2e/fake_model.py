"""A slow OpenAI-compatible server for the VS Code end-to-end test.

Reads the expected API key from stdin (never argv), prints ``URL <base url>``, then one
``REQUEST {json}`` line per chat request saying whether it carried that key and whether the
client went away before the (deliberately late) answer. Exits on stdin EOF or after 10 minutes.
"""

from __future__ import annotations

import json
import select
import sys
import time

from howto_ls.testing import FakeOpenAI, Reply


def main() -> int:
    """Serve until stdin closes, reporting each request on stdout."""
    key = sys.stdin.readline().strip()
    slow = Reply(content="", first_token_delay=300.0)
    with FakeOpenAI(default=slow, api_key=key) as fake:
        print(f"URL {fake.url}", flush=True)
        reported: dict[int, str] = {}
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            for index, request in enumerate(list(fake.requests)):
                line = json.dumps(
                    {
                        "index": index,
                        "path": request.path,
                        "authorized": request.headers.get("authorization") == f"Bearer {key}",
                        "disconnected": request.disconnected,
                    }
                )
                if reported.get(index) != line:
                    reported[index] = line
                    print(f"REQUEST {line}", flush=True)
            readable, _, _ = select.select([sys.stdin], [], [], 0.1)
            if readable and not sys.stdin.readline():
                break
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
