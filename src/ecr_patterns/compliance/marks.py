"""Production marks on repositories, written into the template and remembered in Python.

The plugin reads the mark from the template. The Aspect asks this module instead of reading
every repository's template metadata from Node (a call per repository): marks are written
through :func:`mark_production` (``ProdRepository`` calls it), never by hand.
"""

from __future__ import annotations

from typing import Any

from ecr_patterns.compliance.model import PRODUCTION_KEY

_MARKED: set[str] = set()
"""jsii object references (stable for the life of the process) of the marked ``CfnRepository``s."""


def object_reference(resource: Any) -> str | None:
    """The jsii object reference of a proxy (no call into Node), or ``None`` for a plain Python object."""
    ref = getattr(resource, "__jsii_ref__", None)
    return None if ref is None else str(ref.ref)


def mark_production(repository: Any) -> None:
    """Mark a repository as production for ``EcrPatterns-ProductionRetention``: a stack delete must
    not delete it or its images. Writes ``Metadata: {"ecr-patterns:production": true}``.

    :param repository: an ``aws_ecr.Repository`` (any L2, ours included) or its ``CfnRepository``.
    """
    from aws_cdk import aws_ecr as ecr

    from ecr_patterns.errors import Code, ValidationError

    resource = repository if isinstance(repository, ecr.CfnRepository) else repository.node.default_child
    if not isinstance(resource, ecr.CfnRepository):
        raise ValidationError.single(
            "repository",
            type(repository).__name__,
            "pass an aws_ecr.Repository or an aws_ecr.CfnRepository",
            code=Code.COMPLIANCE_SCOPE,
        )
    resource.add_metadata(PRODUCTION_KEY, True)
    ref = object_reference(resource)
    if ref is not None:
        _MARKED.add(ref)


def is_marked_production(resource: Any) -> bool:
    """Whether :func:`mark_production` marked this ``CfnRepository`` (no call into Node)."""
    ref = object_reference(resource)
    return ref is not None and ref in _MARKED
