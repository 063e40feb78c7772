"""Guide-writing backends: ``offline`` (static analysis) and ``openai`` (any compatible server)."""

from howto_ls.backends.base import Backend, Progress

__all__ = ["Backend", "Progress"]
