"""Dummy AWS settings for tests that talk to moto (in-process or the emulator): never a real account, never the
EC2 metadata address."""

from __future__ import annotations

import pytest


def offline_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials and a region; no profile or endpoint from the environment."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
