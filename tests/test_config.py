"""Settings: LSP options, environment variables, validation that warns instead of failing."""

from __future__ import annotations

import pytest

from howto_ls import config
from howto_ls.backends.factory import make_backend, resolved_backend_name
from howto_ls.errors import BackendConnectError


def test_defaults_match_the_documented_contract() -> None:
    settings = config.Settings()
    assert settings.backend == "auto"
    assert settings.target == "docstring"
    assert settings.sidecar_path == "docs/howto/{relpath}.md"
    assert settings.hover == "guide"
    assert settings.language == "English"


def test_lsp_section_uses_camel_case_names_and_accepts_wrapped_section() -> None:
    options = {"howto": {"baseUrl": "http://127.0.0.1:11434/v1", "model": "llama3", "hover": "off"}}
    settings = config.from_lsp(options)
    assert settings.base_url == "http://127.0.0.1:11434/v1"
    assert settings.model == "llama3"
    assert settings.hover == "off"
    assert config.from_lsp(options["howto"]) == settings


def test_invalid_values_keep_the_default_and_warn() -> None:
    settings = config.from_lsp(
        {"backend": "gpt", "timeout": -3, "maxConcurrency": "many", "target": 7}
    )
    assert settings.backend == "auto"
    assert settings.timeout == 120.0
    assert settings.max_concurrency == 4
    assert settings.target == "docstring"
    assert len(settings.warnings) == 4
    assert any("howto.backend" in w and "auto, offline, openai" in w for w in settings.warnings)


def test_non_mapping_options_are_ignored() -> None:
    assert config.from_lsp(None) == config.Settings()
    assert config.from_lsp(["backend"]) == config.Settings()
    assert config.from_lsp({"howto": "offline"}) == config.Settings()


def test_environment_variables() -> None:
    env = {"HOWTO_BACKEND": "offline", "HOWTO_TARGET": "sidecar", "HOWTO_TIMEOUT": "30"}
    settings = config.from_environment(env)
    assert (settings.backend, settings.target, settings.timeout) == ("offline", "sidecar", 30.0)


def test_api_key_comes_from_environment_only() -> None:
    assert config.api_key({"HOWTO_API_KEY": "k1", "OPENAI_API_KEY": "k2"}) == "k1"
    assert config.api_key({"OPENAI_API_KEY": "k2"}) == "k2"
    assert config.api_key({}) is None
    assert "api_key" not in {f for f in config.Settings.__dataclass_fields__}


def test_overrides_apply_only_given_values() -> None:
    settings = config.Settings(model="a").with_overrides(model=None, backend="offline")
    assert settings.model == "a"
    assert settings.backend == "offline"


def test_auto_backend_means_model_when_configured_else_offline() -> None:
    assert resolved_backend_name(config.Settings(), None) == "offline"
    assert (
        resolved_backend_name(config.Settings(base_url="http://127.0.0.1:1/v1"), None) == "openai"
    )
    assert resolved_backend_name(config.Settings(), "sk-test") == "openai"
    assert resolved_backend_name(config.Settings(backend="offline"), "sk-test") == "offline"


def test_token_cap_and_structured_output_from_lsp_and_environment() -> None:
    assert config.Settings().max_tokens == config.DEFAULT_MAX_TOKENS == 2048
    assert config.Settings().structured_output == "auto"
    settings = config.from_lsp({"maxTokens": 700, "structuredOutput": "off"})
    assert (settings.max_tokens, settings.structured_output) == (700, "off")
    env = config.from_environment({"HOWTO_MAX_TOKENS": "900", "HOWTO_STRUCTURED_OUTPUT": "on"})
    assert (env.max_tokens, env.structured_output) == (900, "on")
    bad = config.from_lsp({"maxTokens": 0, "structuredOutput": "json"})
    assert (bad.max_tokens, bad.structured_output) == (2048, "auto")
    assert len(bad.warnings) == 2
    assert any("howto.structuredOutput" in w and "auto, on, off" in w for w in bad.warnings)


def test_max_file_size_is_bytes_from_lsp_or_environment() -> None:
    assert config.Settings().max_file_size == config.DEFAULT_MAX_FILE_SIZE == 2_000_000
    assert config.from_lsp({"maxFileSize": 5_000_000}).max_file_size == 5_000_000
    assert config.from_environment({"HOWTO_MAX_FILE_SIZE": "300000"}).max_file_size == 300_000
    bad = config.from_lsp({"maxFileSize": "2 MB"})
    assert bad.max_file_size == 2_000_000
    assert bad.warnings == (
        "howto.maxFileSize: expected a whole number, got '2 MB'; using 2000000",
    )


def test_cache_setting_from_lsp_and_environment() -> None:
    assert config.Settings().cache == "on"
    assert config.from_lsp({"howto": {"cache": "off"}}).cache == "off"
    assert config.from_environment({"HOWTO_CACHE": "off"}).cache == "off"
    bad = config.from_lsp({"cache": "sometimes"})
    assert bad.cache == "on"
    assert bad.warnings == ("howto.cache: expected one of on, off, got 'sometimes'; using 'on'",)


def test_verify_examples_setting_from_lsp_environment_and_overrides() -> None:
    assert config.Settings().verify_examples == "auto"
    assert config.from_lsp({"howto": {"verifyExamples": "off"}}).verify_examples == "off"
    assert config.from_environment({"HOWTO_VERIFY_EXAMPLES": "on"}).verify_examples == "on"
    assert config.Settings().with_overrides(verify_examples="off").verify_examples == "off"
    bad = config.from_lsp({"verifyExamples": "always"})
    assert bad.verify_examples == "auto"
    assert bad.warnings == (
        "howto.verifyExamples: expected one of auto, on, off, got 'always'; using 'auto'",
    )


@pytest.mark.parametrize(
    ("base_url", "problem"),
    [
        (
            "alice:pw0rd@127.0.0.1:9/v1",
            "must start with http:// or https://: got ***@127.0.0.1:9/v1",
        ),
        ("ftp://h/v1", "must start with http:// or https://: got ftp://h/v1"),
        ("http://h:99999/v1", "has a port outside 1-65535: got http://h:99999/v1"),
        ("http://h:0/v1", "has a port outside 1-65535: got http://h:0/v1"),
        ("http://h:abc/v1", "has a port outside 1-65535: got http://h:abc/v1"),
        ("http://u:pw0rd@[::1/v1", "has an unusable host: got http://***@[::1/v1"),
        ("http:///v1", "has no host: got http:///v1"),
        ("http://h/v 1", "holds white space or control characters"),
        ("http://u:pw/0rd@h/v1", "in its user name or password: got http://***@h/v1"),
    ],
)
def test_an_unusable_base_url_is_one_redacted_warning_and_no_url(
    base_url: str, problem: str
) -> None:
    settings = config.from_lsp({"baseUrl": base_url})
    assert settings.base_url is None  # not the default URL either: nothing is asked
    assert settings.base_url_error is not None
    assert settings.base_url_error.startswith("howto.baseUrl ")
    assert problem in settings.base_url_error
    assert settings.warnings == (settings.base_url_error,)
    assert "pw0rd" not in settings.base_url_error
    assert resolved_backend_name(settings, None) == "openai"  # the model is wanted: say why not
    with pytest.raises(BackendConnectError, match=r"howto\.baseUrl"):
        make_backend(settings)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:11434/v1",
        "HTTPS://api.example.org/v1",
        "http://[::1]:8080/v1",
        "https://r.openai.azure.com/openai/deployments/d?api-version=2024-06-01",
        "http://alice:p%2Fw@h/v1",
    ],
)
def test_a_usable_base_url_is_kept_as_given(base_url: str) -> None:
    settings = config.from_lsp({"baseUrl": f" {base_url} "})
    assert (settings.base_url, settings.base_url_error, settings.warnings) == (base_url, None, ())


def test_a_usable_base_url_replaces_an_unusable_one() -> None:
    bad = config.from_environment({"HOWTO_BASE_URL": "localhost:11434/v1"})
    good = bad.with_overrides(base_url="http://localhost:11434/v1")
    assert (good.base_url, good.base_url_error) == ("http://localhost:11434/v1", None)


def test_code_lens_takes_stale_only_and_its_older_spelling_stale() -> None:
    assert config.from_lsp({"codeLens": "stale-only"}).code_lens == "stale-only"
    assert config.from_lsp({"codeLens": " stale "}).code_lens == "stale-only"
    bad = config.from_lsp({"codeLens": "stale only"})
    assert bad.code_lens == "on"
    assert any("on, stale-only, off" in w for w in bad.warnings)
