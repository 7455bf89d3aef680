"""Hundreds of repositories from one catalog file: the format and its validation, a stable shard plan and its
diff (plain Python, ``ecr-patterns[catalog]``), and ``RepositoryCatalog``/``CatalogStage`` (CDK). Re-exports only,
loaded on first use."""

from __future__ import annotations

from ecr_patterns._lazy import lazy_exports

_LAZY = {
    "Catalog": "ecr_patterns.catalog.model",
    "json_schema": "ecr_patterns.catalog.model",
    "resolve": "ecr_patterns.catalog.model",
    "load_catalog": "ecr_patterns.catalog.load",
    "parse_catalog": "ecr_patterns.catalog.load",
    "plan_catalog": "ecr_patterns.catalog.plan",
    "diff_plans": "ecr_patterns.catalog.plan",
    "RepositoryCatalog": "ecr_patterns.catalog.construct",
    "CatalogStage": "ecr_patterns.catalog.construct",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
