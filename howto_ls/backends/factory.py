"""Pick the backend the settings ask for: ``auto`` means a configured model, else offline."""

from __future__ import annotations

from pathlib import Path

from howto_ls.backends.base import Backend
from howto_ls.config import Settings, api_key
from howto_ls.errors import BackendConnectError


def resolved_backend_name(settings: Settings, key: str | None) -> str:
    """``offline`` or ``openai``: what ``auto`` means given the settings and the key."""
    if settings.backend != "auto":
        return settings.backend
    return "openai" if settings.base_url or settings.base_url_error or key else "offline"


def make_backend(
    settings: Settings, key: str | None = None, workspace: Path | None = None
) -> Backend:
    """The backend for ``settings``; the key defaults to HOWTO_API_KEY / OPENAI_API_KEY.

    ``workspace`` is the project root a ``promptFile`` must lie in (or the user's config
    folder); default the working folder. Raises :class:`BackendConnectError` when the model
    backend is asked for and ``howto.baseUrl`` was unusable (``settings.base_url_error``): no
    request is sent anywhere, not even to the default URL.
    """
    key = key if key is not None else api_key()
    if resolved_backend_name(settings, key) == "offline":
        from howto_ls.backends.offline import OfflineBackend

        return OfflineBackend()
    if settings.base_url_error:
        raise BackendConnectError(settings.base_url_error)
    from howto_ls.backends.openai import OpenAIBackend

    return OpenAIBackend(settings, key, workspace=workspace)
