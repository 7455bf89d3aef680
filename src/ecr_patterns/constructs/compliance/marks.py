"""Production marks on repositories, written into the template (``Metadata: {"ecr-patterns:production": true}``).

Every reader (the validation plugin, the Aspect, the guarantees plugin) reads the mark from the template
metadata: nothing is remembered in Python, so a mark written by hand is read the same way.
"""

from __future__ import annotations

from typing import Any

from ecr_patterns.core.settings import PRODUCTION_KEY


def mark_production(repository: Any) -> None:
    """Mark a repository as production for ``EcrPatterns-ProductionRetention``: a stack delete must
    not delete it or its images. Writes ``Metadata: {"ecr-patterns:production": true}``.

    :param repository: an ``aws_ecr.Repository`` (any L2, ours included) or its ``CfnRepository``.
    """
    from aws_cdk import aws_ecr as ecr

    from ecr_patterns.core.errors import Code, ValidationError

    resource = repository if isinstance(repository, ecr.CfnRepository) else None
    if resource is None and isinstance(repository, ecr.Repository):
        resource = repository.node.default_child  # type: ignore[assignment]
    if not isinstance(resource, ecr.CfnRepository):
        raise ValidationError.single(
            "repository",
            type(repository).__name__,
            "pass an aws_ecr.Repository defined in this app or an aws_ecr.CfnRepository",
            code=Code.COMPLIANCE_SCOPE,
        )
    resource.add_metadata(PRODUCTION_KEY, True)
