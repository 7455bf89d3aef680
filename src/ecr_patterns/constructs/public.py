"""``SecurePublicRepository``: an ECR Public repository (``AWS::ECR::PublicRepository``) with catalog data,
the tags Security Hub ECR.4 asks for, a policy that lets only the given principals push, and RETAIN.

Limits are ECR Public's API model (botocore ``ecr-public``, ``RepositoryCatalogDataInput``): description at most
1,024 characters, about and usage text at most 25,600 (markdown), at most 50 architectures and 50 operating
systems of 1 to 50 characters each; the Gallery shows as badges only ``ARM``, ``ARM 64``, ``x86``, ``x86-64``
and ``Linux``, ``Windows`` ("If an unsupported tag is added ... [it] isn't discoverable"), so other values are
refused. Repository names are 2 to 205 characters of the model's pattern; at most 200 tags, keys 1 to 128,
values at most 256 characters. ECR Public's API lives in us-east-1 only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import jsii
from aws_cdk import Annotations, CfnTag, RemovalPolicy, Stack, Token
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from constructs import Construct, IValidation

from ecr_patterns.core.errors import Code, Problems

REGION = "us-east-1"
ARCHITECTURES = ("ARM", "ARM 64", "x86", "x86-64")
OPERATING_SYSTEMS = ("Linux", "Windows")
MAX_DESCRIPTION = 1024
MAX_TEXT = 25600
MAX_BADGES = 50
MAX_TAGS = 200
NAME = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")
PUSH_ACTIONS = (
    "ecr-public:BatchCheckLayerAvailability",
    "ecr-public:CompleteLayerUpload",
    "ecr-public:InitiateLayerUpload",
    "ecr-public:PutImage",
    "ecr-public:UploadLayerPart",
)
"""The push actions of ECR Public (its User Guide's push policy); pulls are public and need none."""
LOGIN_ACTIONS = ("ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken")
"""What ``docker login public.ecr.aws`` needs (ECR Public User Guide, "Registry authentication")."""


class SecurePublicRepository(Construct):
    """A public repository in the Amazon ECR Public Gallery, secure by default.

    :param repository_name: 2 to 205 characters, lowercase, ``/`` separated.
    :param description: the short description (at most 1,024 characters).
    :param tags: at least one tag (Security Hub ECR.4 fails untagged public repositories); stack tags count too.
    :param about_text: markdown shown on the Gallery page. Default ``None``.
    :param usage_text: markdown usage notes. Default ``None``.
    :param architectures: among ``ARM``, ``ARM 64``, ``x86``, ``x86-64``. Default ``None``.
    :param operating_systems: among ``Linux``, ``Windows``. Default ``None``.
    :param push_principals: the only principals the repository policy lets push. Default ``None``: no policy,
        so only IAM principals of this account with push permissions (see :meth:`grant_push`).
    :param removal_policy: default ``RemovalPolicy.RETAIN`` (another value is warned).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        repository_name: str,
        description: str,
        tags: Mapping[str, str],
        about_text: str | None = None,
        usage_text: str | None = None,
        architectures: Sequence[str] | None = None,
        operating_systems: Sequence[str] | None = None,
        push_principals: Sequence[iam.IPrincipal] | None = None,
        removal_policy: RemovalPolicy | None = None,
    ) -> None:
        super().__init__(scope, id)
        principals = list(push_principals or [])
        _check_arguments(
            self,
            repository_name=repository_name,
            description=description,
            tags=tags,
            about_text=about_text,
            usage_text=usage_text,
            architectures=architectures,
            operating_systems=operating_systems,
            principals=principals,
        )
        self.repository_name = repository_name
        self.resource = ecr.CfnPublicRepository(
            self,
            "Resource",
            repository_name=repository_name,
            # Typed as JSON in aws-cdk-lib, so written with CloudFormation's names: the Property struct would be
            # rendered with camelCase keys, which CloudFormation rejects.
            repository_catalog_data=_catalog(
                RepositoryDescription=description,
                AboutText=about_text,
                UsageText=usage_text,
                Architectures=list(architectures) if architectures else None,
                OperatingSystems=list(operating_systems) if operating_systems else None,
            ),
            repository_policy_text=_push_policy(principals),
            tags=[CfnTag(key=k, value=v) for k, v in tags.items()],
        )
        _apply_removal(self, self.resource, removal_policy)
        self.node.add_validation(_Tagged(self.resource))

    @property
    def repository_arn(self) -> str:
        return self.resource.attr_arn

    def grant_push(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let an IAM principal of this account log in to ECR Public and push to this repository."""
        grant = iam.Grant.add_to_principal(
            grantee=grantee, actions=list(PUSH_ACTIONS), resource_arns=[self.repository_arn]
        )
        return grant.combine(
            iam.Grant.add_to_principal(grantee=grantee, actions=list(LOGIN_ACTIONS), resource_arns=["*"])
        )


def _check_arguments(
    construct: Construct,
    *,
    repository_name: str,
    description: str,
    tags: Mapping[str, str],
    about_text: str | None,
    usage_text: str | None,
    architectures: Sequence[str] | None,
    operating_systems: Sequence[str] | None,
    principals: Sequence[iam.IPrincipal],
) -> None:
    """Every problem with the arguments, raised at once as one ``ValidationError`` under the construct's path;
    then a warning when the stack's region is not known at synth."""
    problems = Problems()
    region = Stack.of(construct).region
    if not Token.is_unresolved(region) and region != REGION:
        problems.add(
            "region",
            region,
            "ECR Public exists in us-east-1 only: define this repository in a stack with region='us-east-1'",
            code=Code.PUBLIC_REGION,
        )
    _check_name(problems, repository_name)
    _check_text(problems, "description", description, MAX_DESCRIPTION, required=True)
    _check_text(problems, "about_text", about_text, MAX_TEXT)
    _check_text(problems, "usage_text", usage_text, MAX_TEXT)
    _check_badges(problems, "architectures", architectures, ARCHITECTURES)
    _check_badges(problems, "operating_systems", operating_systems, OPERATING_SYSTEMS)
    _check_tags(problems, tags)
    for principal in principals:
        if _is_everyone(principal):
            problems.add(
                "push_principals",
                "*",
                "name the accounts or roles that publish; a * principal would let anyone push",
                code=Code.PUBLIC_ARGUMENT,
            )
    problems.raise_if_any(context=lambda: construct.node.path)
    if Token.is_unresolved(region):
        Annotations.of(construct).add_warning_v2(
            "ecr-patterns:region",
            "the stack's region is not known at synth: ECR Public exists in us-east-1 only; deploy it there.",
        )


def _push_policy(principals: Sequence[iam.IPrincipal]) -> iam.PolicyDocument | None:
    """The repository policy letting only ``principals`` push; ``None`` (no policy) without any."""
    if not principals:
        return None
    return iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(sid="PushByPublishersOnly", actions=list(PUSH_ACTIONS), principals=list(principals))
        ]
    )


def _apply_removal(
    construct: Construct, resource: ecr.CfnPublicRepository, removal_policy: RemovalPolicy | None
) -> None:
    """RETAIN unless told otherwise, and a warning on the construct when told otherwise."""
    removal = RemovalPolicy.RETAIN if removal_policy is None else removal_policy
    resource.apply_removal_policy(removal)
    if removal != RemovalPolicy.RETAIN:
        Annotations.of(construct).add_warning_v2(
            "ecr-patterns:removalPolicy",
            f"removal_policy={removal.value} overrides the secure default RETAIN: deleting the stack deletes the "
            "public repository, and everyone pulling from it breaks.",
        )


@jsii.implements(IValidation)
class _Tagged:
    """Security Hub ECR.4 fails a public repository without tags; stack tags (applied at synth) count."""

    def __init__(self, resource: ecr.CfnPublicRepository) -> None:
        self.resource = resource

    def validate(self) -> list[str]:
        if self.resource.tags.render_tags():
            return []
        return [f"[{Code.PUBLIC_CATALOG}] tags: a public repository needs tags (Security Hub ECR.4)"]


def _catalog(**fields: object) -> dict[str, object]:
    return {k: v for k, v in fields.items() if v is not None}


def _is_everyone(principal: iam.IPrincipal) -> bool:
    # AnyPrincipal, StarPrincipal and ArnPrincipal("*") all render a "*" somewhere in their principal JSON.
    rendered = principal.policy_fragment.principal_json
    return any("*" in values for values in dict(rendered).values())


def _check_name(problems: Problems, name: str) -> None:
    if Token.is_unresolved(name):
        return
    if not isinstance(name, str) or not 2 <= len(name) <= 205 or not NAME.match(name):
        problems.add(
            "repository_name",
            name,
            "2 to 205 lowercase letters, digits and . _ - separators, / between parts, e.g. 'tools/cli'",
            code=Code.PUBLIC_ARGUMENT,
        )


def _check_text(problems: Problems, field: str, text: str | None, limit: int, *, required: bool = False) -> None:
    if text is None or Token.is_unresolved(text):
        if required and text is None:
            problems.add(field, None, "give a short description for the Gallery", code=Code.PUBLIC_CATALOG)
        return
    if not isinstance(text, str) or (required and not text.strip()):
        problems.add(field, text, "give text", code=Code.PUBLIC_CATALOG)
    elif len(text) > limit:
        problems.add(field, f"{len(text)} characters", f"ECR Public allows at most {limit:,}", code=Code.PUBLIC_CATALOG)


def _check_badges(problems: Problems, field: str, values: Sequence[str] | None, allowed: tuple[str, ...]) -> None:
    if values is None:
        return
    listed = list(values)
    if len(listed) > MAX_BADGES:
        problems.add(field, len(listed), f"ECR Public allows at most {MAX_BADGES}", code=Code.PUBLIC_CATALOG)
    seen: set[str] = set()
    for value in listed:
        if value not in allowed:
            problems.add(
                field,
                value,
                f"use {', '.join(repr(a) for a in allowed)}: the Gallery shows no other value",
                code=Code.PUBLIC_CATALOG,
            )
        elif value in seen:
            problems.add(field, value, "each value once", code=Code.PUBLIC_CATALOG)
        seen.add(value)


def _check_tags(problems: Problems, tags: Mapping[str, str]) -> None:
    if not tags:
        problems.add(
            "tags",
            dict(tags),
            "give at least one tag: Security Hub ECR.4 fails untagged public repositories",
            code=Code.PUBLIC_CATALOG,
        )
    if len(tags) > MAX_TAGS:
        problems.add("tags", len(tags), f"at most {MAX_TAGS} tags", code=Code.PUBLIC_CATALOG)
    for key, value in tags.items():
        if Token.is_unresolved(key):
            continue
        if not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
            problems.add("tags", key, "a key of 1 to 128 characters, not starting with aws:", code=Code.PUBLIC_CATALOG)
        if isinstance(value, str) and not Token.is_unresolved(value) and len(value) > 256:
            problems.add("tags", key, "a value of at most 256 characters", code=Code.PUBLIC_CATALOG)
