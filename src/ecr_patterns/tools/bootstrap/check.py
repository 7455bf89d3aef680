"""``bootstrap check``: the deployed bootstrap stacks' container-assets repositories, judged read-only with the
audit's reader and rules (plain Python, boto3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecr_patterns.core.compliance.engine import ComplianceConfig
from ecr_patterns.tools.audit.judge import judge_estate
from ecr_patterns.tools.audit.reader import Target, read_estate
from ecr_patterns.tools.audit.report import AuditReport
from ecr_patterns.tools.bootstrap.policy import ISOLATED_PATTERN
from ecr_patterns.tools.bootstrap.template import RESOURCE

DEFAULT_TOOLKIT_STACK = "CDKToolkit"
REPOSITORY_OUTPUT = "ImageRepositoryName"
"""The bootstrap template's output naming the container-assets repository."""
CONTROLS = {
    "ECR.1": "EcrPatterns-ScanOnPush",
    "ECR.2": "EcrPatterns-TagImmutability",
    "ECR.3": "EcrPatterns-LifecyclePolicy",
    "ECR.5": "EcrPatterns-Encryption",
}
REQUIRED = ("ECR.1", "ECR.2", "ECR.3")
"""The controls a bootstrap must pass (ECR.5 needs a customer managed key: reported, not required)."""
UNBOUNDED = ("EcrPatterns-LifecycleExpiresNothing", "EcrPatterns-LifecycleGrowthUnbounded")


@dataclass
class BootstrapStatus:
    region: str
    stack: str
    found: bool
    repository: str | None = None
    variant: str | None = None
    qualifier: str | None = None
    version: str | None = None
    controls: dict[str, bool | None] = field(default_factory=dict)
    """Security Hub ECR.1/2/3/5 as their documentation decides them (``None``: not known)."""
    error: str | None = None
    report: AuditReport | None = None
    works_with_cdk_gc: bool = False
    """Whether the lifecycle policy archives the images ``cdk gc --action=tag`` marks isolated."""

    @property
    def findings(self) -> list[Any]:
        """The findings on the container-assets repository itself (not on the rest of the registry)."""
        if self.report is None:
            return []
        return [f for f in self.report.findings if f.repository == self.repository]

    @property
    def bounded(self) -> bool:
        """Whether the lifecycle policy bounds the repository: it has the ``cdk gc`` rule (images no stack
        references are bounded by ``cdk gc --action=tag`` marking them), or no finding says it expires nothing or
        leaves growth unbounded."""
        return self.works_with_cdk_gc or not any(f.rule_id in UNBOUNDED for f in self.findings)

    @property
    def passes(self) -> bool:
        """Found, read without error, passing ECR.1, ECR.2 and ECR.3, and :attr:`bounded`."""
        return self.found and not self.error and all(self.controls.get(c) for c in REQUIRED) and self.bounded

    def to_json(self) -> dict[str, Any]:
        repo = self.report.repositories[0] if self.report and self.report.repositories else None
        passes = self.passes
        return {
            "region": self.region,
            "stack": self.stack,
            "found": self.found,
            "repository": self.repository,
            "bootstrapVariant": self.variant,
            "qualifier": self.qualifier,
            "bootstrapVersion": self.version,
            "securityHub": self.controls,
            "lifecycle": dict(repo.lifecycle) if repo and repo.lifecycle else None,
            "findings": [f.to_json() for f in self.findings],
            "worksWithCdkGc": self.works_with_cdk_gc,
            "error": self.error,
            "passes": passes,
            "fix": None if passes else fix_command(self),
        }


def check_bootstrap(
    regions: Sequence[str],
    *,
    session: Any | None = None,
    toolkit_stack_name: str = DEFAULT_TOOLKIT_STACK,
    qualifier: str | None = None,
    now: datetime | None = None,
) -> list[BootstrapStatus]:
    """Each region's bootstrap stack and its container-assets repository, read-only (``DescribeStacks`` and the
    audit's ECR reads).

    :param session: default ``None``: ``boto3.Session()``.
    :param toolkit_stack_name: default ``CDKToolkit`` (``cdk bootstrap --toolkit-stack-name``).
    :param qualifier: default ``None``: any; else a stack with another ``Qualifier`` parameter is an error.
    :param now: default ``None``: the current UTC time.
    """
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    session = session or boto3.Session()
    out: list[BootstrapStatus] = []
    for region in regions:
        status = BootstrapStatus(region, toolkit_stack_name, found=False)
        try:
            stacks = session.client("cloudformation", region_name=region).describe_stacks(StackName=toolkit_stack_name)
            stack = stacks["Stacks"][0]
        except (BotoCoreError, ClientError, ResponseParserError) as err:  # a 500 page is not XML
            code = getattr(err, "response", {}).get("Error", {}).get("Code", "")
            status.error = (
                f"no stack {toolkit_stack_name} in {region}: not bootstrapped there (or another --toolkit-stack-name)"
                if code == "ValidationError"
                else f"cannot read the stack {toolkit_stack_name}: {err}"
            )
            out.append(status)
            continue
        status.found = True
        outputs = {o["OutputKey"]: o.get("OutputValue") for o in stack.get("Outputs", [])}
        parameters = {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters", [])}
        status.repository = (
            outputs.get(REPOSITORY_OUTPUT)
            or _physical_id(session, region, toolkit_stack_name)
            or _named_by_the_template(stack, parameters, region)
        )
        status.variant = parameters.get("BootstrapVariant")
        status.qualifier = parameters.get("Qualifier")
        status.version = outputs.get("BootstrapVersion")
        if not status.repository:
            status.error = f"the stack has no {RESOURCE} and no {REPOSITORY_OUTPUT} output: not a CDK bootstrap stack"
            out.append(status)
            continue
        registries = read_estate([Target(region)], session=session, repository_prefix=status.repository)
        for registry in registries:
            registry.repositories = [r for r in registry.repositories if r.name == status.repository]
        report = judge_estate(registries, ComplianceConfig(), now=now)
        status.report = report
        if not report.repositories:
            status.error = f"the repository {status.repository} the stack names does not exist"
        else:
            live = next(r for g in registries for r in g.repositories)
            status.works_with_cdk_gc = ISOLATED_PATTERN in (live.lifecycle_policy_text or "")
            verdicts = report.repositories[0].verdicts
            status.controls = {
                control: (verdicts.get(rule) or {}).get("securityHub") for control, rule in CONTROLS.items()
            }
        out.append(status)
    for status in out:
        if qualifier and status.qualifier and status.qualifier != qualifier:
            status.error = f"the stack {status.stack} has the qualifier {status.qualifier}, not {qualifier}"
    return out


def _physical_id(session: Any, region: str, stack: str) -> str | None:
    """The repository's name from the stack's resource (``DescribeStackResource``), for a stack whose outputs
    are missing (moto loses them on change-set creates)."""
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    try:
        found = session.client("cloudformation", region_name=region).describe_stack_resource(
            StackName=stack, LogicalResourceId=RESOURCE
        )
    except (BotoCoreError, ClientError, ResponseParserError):
        return None
    return str(found["StackResourceDetail"].get("PhysicalResourceId") or "") or None


def _named_by_the_template(stack: Any, parameters: dict[str, Any], region: str) -> str | None:
    """The name the bootstrap template gives the repository: ``ContainerAssetsRepositoryName`` when set, else
    ``cdk-${Qualifier}-container-assets-${AWS::AccountId}-${AWS::Region}`` (its ``RepositoryName``)."""
    if parameters.get("ContainerAssetsRepositoryName"):
        return str(parameters["ContainerAssetsRepositoryName"])
    qualifier = parameters.get("Qualifier")
    parts = str(stack.get("StackId", "")).split(":")
    account = parts[4] if len(parts) > 4 else ""
    if not qualifier or not account:
        return None
    return f"cdk-{qualifier}-container-assets-{account}-{region}"


def fix_command(status: BootstrapStatus, *, template: str = "hardened-bootstrap.yaml") -> str:
    """The commands that harden this bootstrap in place. ``--force``: the CDK CLI will not overwrite a bootstrap
    stack of another ``BootstrapVariant`` without it ("Not overwriting it with a template containing ...",
    measured with CDK CLI 2.1148.1)."""
    qualifier = f" --qualifier {status.qualifier}" if status.qualifier and status.qualifier != "hnb659fds" else ""
    stack = f" --toolkit-stack-name {status.stack}" if status.stack != DEFAULT_TOOLKIT_STACK else ""
    return (
        f"ecr-patterns bootstrap template --existing --out {template} && "
        f"cdk bootstrap --template {template} --force{qualifier}{stack} aws://<account>/{status.region}"
    )
