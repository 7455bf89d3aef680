"""Hundreds of repositories from one catalog file: the format and its validation, a stable shard plan and its
diff (plain Python, ``ecr-patterns[catalog]``), and ``RepositoryCatalog``/``CatalogStage`` (CDK). Re-exports only,
loaded on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecr_patterns._lazy import lazy_exports

if TYPE_CHECKING:
    from ecr_patterns.constructs.catalog import CatalogStage, RepositoryCatalog, catalog_stages
    from ecr_patterns.core.catalog.load import load_catalog, parse_catalog
    from ecr_patterns.core.catalog.model import Catalog, resolve
    from ecr_patterns.core.catalog.plan import diff_plans, plan_catalog

_LAZY = {
    "Catalog": "ecr_patterns.core.catalog.model",
    "resolve": "ecr_patterns.core.catalog.model",
    "load_catalog": "ecr_patterns.core.catalog.load",
    "parse_catalog": "ecr_patterns.core.catalog.load",
    "plan_catalog": "ecr_patterns.core.catalog.plan",
    "diff_plans": "ecr_patterns.core.catalog.plan",
    "RepositoryCatalog": "ecr_patterns.constructs.catalog",
    "CatalogStage": "ecr_patterns.constructs.catalog",
    "catalog_stages": "ecr_patterns.constructs.catalog",
}

__all__ = [
    "Catalog",
    "CatalogStage",
    "RepositoryCatalog",
    "catalog_stages",
    "diff_plans",
    "load_catalog",
    "parse_catalog",
    "plan_catalog",
    "resolve",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
