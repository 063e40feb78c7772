"""howto-ls: task-oriented "How to Use This Code Block" guides for Python, in your editor."""

from __future__ import annotations

__version__ = "0.1.0"
