"""A small repository catalog deployed as two shard stacks (teams ``alpha`` and ``beta``): the catalog path end to
end, from the validated model to the repositories ECR answers for."""

from __future__ import annotations

import aws_cdk as cdk

from ecr_patterns.catalog import RepositoryCatalog
from ecr_patterns.core.catalog.model import Catalog
from integ.apps import common

APP = "Catalog"
REPOSITORIES = {"catalog-alpha-api": "alpha", "catalog-alpha-worker": "alpha", "catalog-beta-web": "beta"}
"""Repository base name -> team (the shard)."""


def catalog(app: cdk.App) -> Catalog:
    return Catalog.model_validate(
        {
            "defaults": {"tags": {common.TAG_KEY: APP}},
            "teams": {
                "alpha": {"preset": "prod", "grants": {"accounts": [common.account(app)]}},
                "beta": {"preset": "dev", "lifecycle": [{"expire_untagged": {"days": 3}}, {"keep_last": {"count": 5}}]},
            },
            "repositories": [{"name": common.name(app, base), "team": team} for base, team in REPOSITORIES.items()],
        }
    )


def build(app: cdk.App) -> cdk.Stack:
    built = RepositoryCatalog(app, common.stack_name(APP, common.suffix(app)), catalog=catalog(app))
    return next(iter(built.stacks.values()))


if __name__ == "__main__":
    common.main(build)
