"""Production marks on repositories, written into the template (``Metadata: {"ecr-patterns:production": true}``).

Every reader (the validation plugin, the Aspect, the guarantees plugin) reads the mark from the template
metadata. The app's state (:mod:`ecr_patterns.constructs._app_state`) also notes that the app has a mark, so the
Aspect asks Node for each repository's metadata only in an app that has one (one call a repository saved).
"""

from __future__ import annotations

from typing import Any

from ecr_patterns.constructs._app_state import app_state
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
    app_state(resource).production_marks = True
