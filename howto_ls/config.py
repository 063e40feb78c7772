"""Settings: one typed object, read from LSP options, workspace configuration or the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

BACKENDS = ("auto", "offline", "openai")
TARGETS = ("docstring", "sidecar")
HOVER_MODES = ("guide", "preview", "off")
STRUCTURED_OUTPUT = ("auto", "on", "off")
CACHE_MODES = ("on", "off")
CODE_LENS_MODES = ("on", "stale-only", "off")
_ALIASES = {"code_lens": {"stale": "stale-only"}}
"""Older spellings still accepted, by setting: ``codeLens: stale`` is ``stale-only``."""
VERIFY_MODES = ("auto", "on", "off")
DEFAULT_MAX_TOKENS = 2048
"""A guide is 300-1,000 tokens; twice the longest leaves room for a long example."""
DEFAULT_SIDECAR_PATH = "docs/howto/{relpath}.md"
DEFAULT_MAX_FILE_SIZE = 2_000_000
"""Bytes: files larger than this (2 MB, ten times a very large hand-written module) are
neither documented nor read as context; generated code and data dumps are."""

# setting name -> environment variable
ENVIRONMENT = {
    "backend": "HOWTO_BACKEND",
    "base_url": "HOWTO_BASE_URL",
    "model": "HOWTO_MODEL",
    "target": "HOWTO_TARGET",
    "sidecar_path": "HOWTO_SIDECAR_PATH",
    "language": "HOWTO_LANGUAGE",
    "prompt_file": "HOWTO_PROMPT_FILE",
    "timeout": "HOWTO_TIMEOUT",
    "connect_timeout": "HOWTO_CONNECT_TIMEOUT",
    "first_token_timeout": "HOWTO_FIRST_TOKEN_TIMEOUT",
    "max_concurrency": "HOWTO_MAX_CONCURRENCY",
    "max_tokens": "HOWTO_MAX_TOKENS",
    "structured_output": "HOWTO_STRUCTURED_OUTPUT",
    "max_file_size": "HOWTO_MAX_FILE_SIZE",
    "exclude": "HOWTO_EXCLUDE",
    "cache": "HOWTO_CACHE",
    "verify_examples": "HOWTO_VERIFY_EXAMPLES",
}
# LSP (camelCase) name -> setting name
LSP_NAMES = {
    "backend": "backend",
    "baseUrl": "base_url",
    "model": "model",
    "target": "target",
    "sidecarPath": "sidecar_path",
    "language": "language",
    "hover": "hover",
    "codeLens": "code_lens",
    "promptFile": "prompt_file",
    "timeout": "timeout",
    "connectTimeout": "connect_timeout",
    "firstTokenTimeout": "first_token_timeout",
    "maxConcurrency": "max_concurrency",
    "maxTokens": "max_tokens",
    "structuredOutput": "structured_output",
    "maxFileSize": "max_file_size",
    "exclude": "exclude",
    "cache": "cache",
    "verifyExamples": "verify_examples",
}
_CHOICES = {
    "backend": BACKENDS,
    "target": TARGETS,
    "hover": HOVER_MODES,
    "code_lens": CODE_LENS_MODES,
    "structured_output": STRUCTURED_OUTPUT,
    "cache": CACHE_MODES,
    "verify_examples": VERIFY_MODES,
}


@dataclass(frozen=True)
class Settings:
    """Everything a user can configure. The API key is not here: see :func:`api_key`."""

    backend: str = "auto"
    base_url: str | None = None
    model: str | None = None
    target: str = "docstring"
    sidecar_path: str = DEFAULT_SIDECAR_PATH
    language: str = "English"
    hover: str = "guide"
    code_lens: str = "on"  # lenses over missing and stale guides: on, stale-only, off
    prompt_file: str | None = None
    timeout: float = 120.0  # a whole guide, seconds
    connect_timeout: float = 10.0
    first_token_timeout: float = 90.0  # also the longest pause between two streamed chunks
    max_concurrency: int = 4
    max_tokens: int = DEFAULT_MAX_TOKENS  # sent as max_tokens (or max_completion_tokens)
    structured_output: str = "auto"  # ask for JSON by schema: auto (where supported), on, off
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes; larger files are skipped, not read
    exclude: tuple[str, ...] = ()  # gitignore patterns, added to howto_ls.exclusion's defaults
    cache: str = "on"  # reuse a model's guide for the same prompt, endpoint and options: on, off
    # run examples in the sandbox (howto_ls.verification): a model's, repaired from a failing
    # run; the offline writer's candidates, the best kept. auto: where the OS sandbox works
    verify_examples: str = "auto"
    base_url_error: str | None = None  # why the base URL given is unusable (the model is not asked)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with the non-None ``values`` validated and applied."""
        return _apply(self, {k: v for k, v in values.items() if v is not None})


def api_key(environ: Mapping[str, str] | None = None) -> str | None:
    """The API key from ``HOWTO_API_KEY``, else ``OPENAI_API_KEY``; never stored in settings."""
    env = os.environ if environ is None else environ
    return env.get("HOWTO_API_KEY") or env.get("OPENAI_API_KEY") or None


def from_environment(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``HOWTO_*`` environment variables; invalid values become warnings."""
    env = os.environ if environ is None else environ
    values = {name: env[var] for name, var in ENVIRONMENT.items() if env.get(var)}
    return _apply(Settings(), values)


def from_lsp(options: object, base: Settings | None = None) -> Settings:
    """Settings from an LSP ``howto`` section or ``initializationOptions`` (camelCase keys).

    Accepts either the section itself or an object holding it under ``howto``. Unknown keys are
    ignored; invalid values keep the default and add a warning.
    """
    start = base or Settings()
    if not isinstance(options, Mapping):
        return start
    section = options.get("howto", options)
    if not isinstance(section, Mapping):
        return start
    values = {LSP_NAMES[key]: value for key, value in section.items() if key in LSP_NAMES}
    return _apply(start, values)


def _apply(settings: Settings, values: Mapping[str, Any]) -> Settings:
    """Validate ``values`` against the field types; keep the old value and warn on bad ones."""
    warnings = list(settings.warnings)
    accepted: dict[str, Any] = {}
    types = {f.name: f.type for f in fields(Settings)}
    for name, raw in values.items():
        if name not in types or name in ("warnings", "base_url_error"):
            continue
        if name == "base_url":
            try:
                accepted[name] = check_base_url(raw)
                accepted["base_url_error"] = None
            except ValueError as exc:
                accepted[name], accepted["base_url_error"] = None, str(exc)
                warnings.append(str(exc))
            continue
        try:
            accepted[name] = _coerce(name, raw, str(types[name]))
        except ValueError as exc:
            warnings.append(f"howto.{_lsp_name(name)}: {exc}; using {getattr(settings, name)!r}")
    return replace(settings, **accepted, warnings=tuple(warnings))


def check_base_url(raw: object) -> str | None:
    """``raw`` as a base URL (stripped; None when blank), or ValueError with one line saying why
    not, the URL redacted (:func:`howto_ls.redact.redact_url`).

    The scheme must be ``http`` or ``https``, the host parse (an IPv6 address in brackets,
    RFC 3986 section 3.2.2), a port lie in 1-65535, and the URL hold no white space or control
    characters; httpx must accept it.
    """
    from urllib.parse import urlsplit

    import httpx

    from howto_ls.redact import redact_url

    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ValueError(f"howto.baseUrl must be text, got {type(raw).__name__}")
    text = raw.strip()
    if not text:
        return None
    shown = redact_url(text)
    if "://" not in text or text.split("://", 1)[0].lower() not in ("http", "https"):
        raise ValueError(f"howto.baseUrl must start with http:// or https://: got {shown}")
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise ValueError(
            f"howto.baseUrl holds white space or control characters: got {shown!r}; "
            "percent-encode them (%20)"
        )
    after_scheme = text.split("://", 1)[1]
    authority_end = min(after_scheme.find(c) % (len(after_scheme) + 1) for c in "/?#")
    if "@" in after_scheme[authority_end:]:
        shown = f"{text.split('://', 1)[0]}://***@{text.rpartition('@')[2]}"  # mask all: unsure
        raise ValueError(
            f"howto.baseUrl has '/', '?' or '#' in its user name or password: got {shown};"
            " percent-encode them (%2F, %3F, %23)"
        )
    try:
        parts = urlsplit(text)
        port = parts.port
        host = parts.hostname
        httpx.URL(text)
    except ValueError as exc:
        why = "a port outside 1-65535" if "port" in str(exc).lower() else "an unusable host"
        raise ValueError(f"howto.baseUrl has {why}: got {shown}") from None
    except httpx.InvalidURL:
        raise ValueError(f"howto.baseUrl is not a usable URL: got {shown}") from None
    if not host:
        raise ValueError(f"howto.baseUrl has no host: got {shown}")
    if port is not None and not 1 <= port <= 65535:
        raise ValueError(f"howto.baseUrl has a port outside 1-65535: got {shown}")
    return text


def _coerce(name: str, raw: Any, type_name: str) -> Any:
    if type_name == "tuple[str, ...]":
        return _patterns(raw)
    if raw is None or (isinstance(raw, str) and raw.strip() == "" and "None" in type_name):
        if "None" in type_name:
            return None
        raise ValueError("a value is required")
    if type_name == "float":
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"expected a number of seconds, got {raw!r}") from None
        if value <= 0:
            raise ValueError(f"expected a positive number, got {raw!r}")
        return value
    if type_name == "int":
        if isinstance(raw, bool):
            raise ValueError(f"expected a whole number, got {raw!r}")
        try:
            number = int(raw)
        except (TypeError, ValueError):
            raise ValueError(f"expected a whole number, got {raw!r}") from None
        if number < 1:
            raise ValueError(f"expected a number of at least 1, got {raw!r}")
        return number
    if not isinstance(raw, str):
        raise ValueError(f"expected text, got {raw!r}")
    text = raw.strip()
    text = _ALIASES.get(name, {}).get(text, text)
    choices = _CHOICES.get(name)
    if choices is not None and text not in choices:
        raise ValueError(f"expected one of {', '.join(choices)}, got {raw!r}")
    return text


def _patterns(raw: Any) -> tuple[str, ...]:
    """A list of patterns: a list of strings (LSP), or text split at commas and new lines
    (``HOWTO_EXCLUDE=".env*,*secret*"``); blanks dropped."""
    if isinstance(raw, str):
        items: list[Any] = raw.replace("\n", ",").split(",")
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        raise ValueError(f"expected a list of patterns, got {raw!r}")
    if not all(isinstance(item, str) for item in items):
        raise ValueError(f"expected a list of text patterns, got {raw!r}")
    return tuple(item.strip() for item in items if item.strip())


def _lsp_name(name: str) -> str:
    return next((lsp for lsp, field_name in LSP_NAMES.items() if field_name == name), name)
