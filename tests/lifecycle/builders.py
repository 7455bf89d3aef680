"""Images and rules for the preview tests, in the shapes describe-images and ECR's policy JSON use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def image(name: str, tags: list[str], days_ago: float, **extra: Any) -> dict[str, Any]:
    return {
        "imageDigest": f"sha256:{name}",
        "imageTags": tags,
        "imagePushedAt": NOW - timedelta(days=days_ago),
        **extra,
    }


def rule(
    priority: int, status: str, count_type: str, number: int, *, action: dict[str, Any] | None = None, **selection: Any
) -> dict[str, Any]:
    """One rule; ``countUnit: days`` for the since* types; ``action`` default ``{"type": "expire"}``."""
    sel: dict[str, Any] = {"tagStatus": status, "countType": count_type, "countNumber": number, **selection}
    if count_type != "imageCountMoreThan":
        sel["countUnit"] = "days"
    return {"rulePriority": priority, "selection": sel, "action": action or {"type": "expire"}}
