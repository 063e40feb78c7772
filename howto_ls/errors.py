"""Errors howto-ls reports to users.

Every message is one clear line that names the cause and, where there is one, the fix.
No message ever contains an API key or a URL's user information: ``str()`` of every error
passes through :func:`howto_ls.redact.redact`.

    HowtoError                      base of everything below
    ├── UsageError                  bad command-line input or target (CLI exit 2)
    ├── PromptTemplateError         the user's prompt file is unreadable or malformed
    ├── SymbolNotFoundError         nothing documentable at that position or name (CLI exit 2)
    ├── SourceError                 the file cannot be read, decoded or parsed
    │   └── FileTooLargeError       the file is over the maxFileSize limit: skipped, not broken
    ├── UnsafeEditError             an edit would change the code, not just a docstring
    ├── NotWritableError            the symbol lives outside the project (site-packages) or the
    │                               target path would leave the project root
    ├── StaleDocumentError          the document changed and the symbol could not be re-located
    ├── GuideValidationError        a model's guide still has problems after the repair round
    └── BackendError                a model backend failed
        ├── BackendConnectError     server not reachable
        ├── BackendAuthError        401/403
        ├── BackendNotFoundError    404: model or URL wrong
        ├── BackendRateLimitError   429 after retries
        ├── BackendTimeoutError     connect, first-token or total timeout
        ├── BackendContextError     prompt too long for the model
        └── BackendResponseError    empty, malformed or broken answer; other HTTP errors
"""

from __future__ import annotations

from howto_ls.redact import redact

SHOWN_INPUT_CHARS = 80
"""The most characters of a user's input an error message repeats."""


def shown_input(text: str, limit: int = SHOWN_INPUT_CHARS) -> str:
    """``text`` quoted (``repr``) for an error message: whole when at most ``limit`` characters,
    else its first ``limit`` followed by ``…`` and its length, so that a message never repeats
    a huge input back."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"


class HowtoError(Exception):
    """Base class of every error howto-ls reports to a user; its text is redacted."""

    def __str__(self) -> str:
        return redact(super().__str__())


class UsageError(HowtoError):
    """The command line or target is malformed."""


class PromptTemplateError(HowtoError):
    """The user's prompt file cannot be read or uses unknown placeholders."""


class SymbolNotFoundError(HowtoError):
    """No documentable symbol at the given position or qualified name."""


class SourceError(HowtoError):
    """A source file cannot be read, decoded or parsed."""


class FileTooLargeError(SourceError):
    """A file is larger than the ``maxFileSize`` setting allows; it is skipped, not read."""


class UnsafeEditError(HowtoError):
    """An edit would change the code's AST; nothing was written."""


class NotWritableError(HowtoError):
    """The target file is outside the project, or a path would escape the project root."""


class StaleDocumentError(HowtoError):
    """The document changed during generation and the symbol could not be re-located."""


class GuideValidationError(HowtoError):
    """A generated guide failed validation."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class BackendError(HowtoError):
    """A model backend failed."""


class BackendConnectError(BackendError):
    """The model server could not be reached."""


class BackendAuthError(BackendError):
    """The model server rejected the API key."""


class BackendNotFoundError(BackendError):
    """The model or the URL does not exist on the server."""


class BackendRateLimitError(BackendError):
    """The model server kept answering 429."""


class BackendTimeoutError(BackendError):
    """The model server took too long."""


class BackendContextError(BackendError):
    """The prompt does not fit the model's context window."""


class BackendResponseError(BackendError):
    """The answer was empty, malformed, or the stream broke."""
