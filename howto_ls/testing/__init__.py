"""Test helpers shipped with the package: a fake OpenAI-compatible server with faults on demand."""

from howto_ls.testing.fake_openai import FakeOpenAI, RecordedRequest, Reply

__all__ = ["FakeOpenAI", "RecordedRequest", "Reply"]
