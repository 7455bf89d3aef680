"""Errors raised by ecr-patterns, and the stable code of every kind of problem.

Plain Python (no ``aws_cdk`` import) so the lifecycle engine and the CLI can use them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum


class Code(StrEnum):
    """The stable code of each kind of problem. README's error-code table lists them all (a test
    holds the table and this enum equal); a code never changes meaning once released."""

    # lifecycle policies (the validator and the policy model)
    LIFECYCLE_JSON = "lifecycle.json"
    LIFECYCLE_SHAPE = "lifecycle.shape"
    LIFECYCLE_TEXT_LENGTH = "lifecycle.text-length"
    LIFECYCLE_NULL = "lifecycle.null"
    LIFECYCLE_RULE_PRIORITY = "lifecycle.rule-priority"
    LIFECYCLE_ANY_LAST = "lifecycle.any-last"
    LIFECYCLE_TAG_STATUS = "lifecycle.tag-status"
    LIFECYCLE_TAG_LIST = "lifecycle.tag-list"
    LIFECYCLE_WILDCARDS = "lifecycle.wildcards"
    LIFECYCLE_COUNT_TYPE = "lifecycle.count-type"
    LIFECYCLE_COUNT_UNIT = "lifecycle.count-unit"
    LIFECYCLE_COUNT_NUMBER = "lifecycle.count-number"
    LIFECYCLE_STORAGE_CLASS = "lifecycle.storage-class"
    LIFECYCLE_ACTION = "lifecycle.action"
    LIFECYCLE_ARCHIVE_DAYS = "lifecycle.archive-days"
    LIFECYCLE_OVERLAP = "lifecycle.overlap"
    LIFECYCLE_UNKNOWN_KEY = "lifecycle.unknown-key"
    LIFECYCLE_RULE_COUNT = "lifecycle.rule-count"
    # lifecycle helpers and aws_ecr.LifecycleRule conversion
    LIFECYCLE_ARGUMENT = "lifecycle.argument"
    LIFECYCLE_DURATION = "lifecycle.duration"
    # the offline preview's inputs
    PREVIEW_IMAGE = "preview.image"
    PREVIEW_TIME = "preview.time"
    # repository patterns
    REPOSITORY_ENCRYPTION = "repository.encryption"
    REPOSITORY_EMPTY_ON_DELETE = "repository.empty-on-delete"
    REPOSITORY_PRODUCTION_DESTROY = "repository.production-destroy"
    REPOSITORY_ARGUMENTS = "repository.arguments"
    # grants
    PUBLIC_REGION = "public.region"
    PUBLIC_CATALOG = "public.catalog"
    PUBLIC_ARGUMENT = "public.argument"

    GRANT_ACCOUNT = "grant.account"
    GRANT_ORGANIZATION = "grant.organization"
    GRANT_IMPORTED = "grant.imported"
    # registry-level constructs
    REGISTRY_DUPLICATE = "registry.duplicate"
    REGISTRY_ACCOUNT = "registry.account"
    REGISTRY_REGION = "registry.region"
    REGISTRY_QUOTA = "registry.quota"
    REGISTRY_DESTINATION = "registry.destination"
    REGISTRY_PREFIX = "registry.prefix"
    REGISTRY_FILTER = "registry.filter"
    REGISTRY_SCANNING = "registry.scanning"
    REGISTRY_UPSTREAM = "registry.upstream"
    REGISTRY_ARGUMENT = "registry.argument"
    # notifications
    EVENTS_ARGUMENT = "events.argument"
    # compliance configuration, suppressions, marks
    COMPLIANCE_CONFIG = "compliance.config"
    COMPLIANCE_SUPPRESSION = "compliance.suppression"
    COMPLIANCE_SCOPE = "compliance.scope"
    # the live audit
    AUDIT_SCOPE = "audit.scope"

    CATALOG_FILE = "catalog.file"
    CATALOG_SCHEMA = "catalog.schema"
    CATALOG_LIMIT = "catalog.limit"
    # the hardened CDK bootstrap template
    STAGING_SIZE = "staging.size"

    BOOTSTRAP_TEMPLATE = "bootstrap.template"
    BOOTSTRAP_ENCRYPTION = "bootstrap.encryption"


CODE_DESCRIPTIONS: dict[Code, str] = {
    Code.LIFECYCLE_JSON: "the policy is not valid JSON, or cannot be written as JSON",
    Code.LIFECYCLE_SHAPE: "the policy, a rule, its selection or its action is not the object ECR expects",
    Code.LIFECYCLE_TEXT_LENGTH: "the policy text is longer than ECR's 30,720 characters",
    Code.LIFECYCLE_NULL: "a JSON null, which ECR rejects",
    Code.LIFECYCLE_RULE_PRIORITY: "rulePriority missing, not an integer >= 1, or shared by two rules",
    Code.LIFECYCLE_ANY_LAST: "the tagStatus any rule does not have the highest rulePriority of its storage class",
    Code.LIFECYCLE_TAG_STATUS: "tagStatus not tagged/untagged/any, or tagged without a tag list",
    Code.LIFECYCLE_TAG_LIST: "a tag list that is empty, not strings, given twice, or given to untagged/any",
    Code.LIFECYCLE_WILDCARDS: "more than four * in one tag pattern",
    Code.LIFECYCLE_COUNT_TYPE: "countType not one of ECR's four",
    Code.LIFECYCLE_COUNT_UNIT: "countUnit missing for a since* type, or given to imageCountMoreThan",
    Code.LIFECYCLE_COUNT_NUMBER: "countNumber not an integer >= 1",
    Code.LIFECYCLE_STORAGE_CLASS: "storageClass not standard/archive, or not the one the countType selects",
    Code.LIFECYCLE_ACTION: "action type or targetStorageClass not allowed for the rule",
    Code.LIFECYCLE_ARCHIVE_DAYS: "archived images expired before ECR's 90-day minimum",
    Code.LIFECYCLE_OVERLAP: "two rules of one storage class select untagged, any, or the same tags",
    Code.LIFECYCLE_UNKNOWN_KEY: "a key ECR's lifecycle policy schema does not have (the fix names the allowed keys)",
    Code.LIFECYCLE_RULE_COUNT: "more than 50 rules, ECR's quota per lifecycle policy (not adjustable)",
    Code.LIFECYCLE_ARGUMENT: "a lifecycle helper was given a bad argument (days, count, prefix, pattern)",
    Code.LIFECYCLE_DURATION: "max_image_age not in whole days, or a rule with both or neither of age and count",
    Code.PREVIEW_IMAGE: "an image given to the preview lacks its digest or push time, or is not an object",
    Code.PREVIEW_TIME: "a time that is neither a datetime, an ISO 8601 string nor epoch seconds",
    Code.REPOSITORY_ENCRYPTION: (
        "an encryption setting ECR cannot apply (AES256 with a key, unknown type), "
        "or no customer managed key where one is required"
    ),
    Code.REPOSITORY_EMPTY_ON_DELETE: "empty_on_delete or auto_delete_images without removal_policy=DESTROY",
    Code.REPOSITORY_PRODUCTION_DESTROY: (
        "ProdRepository asked to delete itself, its images or its key without allow_destroy"
    ),
    Code.REPOSITORY_ARGUMENTS: "a method was given arguments that cannot go together",
    Code.PUBLIC_REGION: "a public repository outside us-east-1, where ECR Public does not exist",
    Code.PUBLIC_CATALOG: "catalog data or tags ECR Public or Security Hub ECR.4 would not accept",
    Code.PUBLIC_ARGUMENT: "a public repository name ECR rejects, or a * push principal",
    Code.GRANT_ACCOUNT: "an AWS account id that is not 12 digits, or no account at all",
    Code.GRANT_ORGANIZATION: "an AWS Organizations id that is not o- and 10-32 [a-z0-9]",
    Code.GRANT_IMPORTED: "a grant on an imported repository, whose policy this app cannot change",
    Code.REGISTRY_DUPLICATE: "a second registry-level setting of one kind for the same account and region",
    Code.REGISTRY_ACCOUNT: "an account id that is not 12 digits",
    Code.REGISTRY_REGION: "a region name that is not one, e.g. eu-west-1",
    Code.REGISTRY_QUOTA: "more rules, destinations or filters than ECR's quota allows",
    Code.REGISTRY_DESTINATION: "a replication rule without destinations, or one replicating to itself",
    Code.REGISTRY_PREFIX: "a repository prefix ECR rejects",
    Code.REGISTRY_FILTER: "a scanning or replication filter ECR rejects",
    Code.REGISTRY_SCANNING: "a scan frequency the scan type does not support, or two rules of one frequency",
    Code.REGISTRY_UPSTREAM: "a pull-through cache upstream without the URL, credential or role it needs",
    Code.REGISTRY_ARGUMENT: "a required list left empty (statements, applied_for)",
    Code.EVENTS_ARGUMENT: "a notification given an unknown severity or empty tag prefixes",
    Code.COMPLIANCE_CONFIG: "an unknown rule id or level in a compliance configuration",
    Code.COMPLIANCE_SUPPRESSION: "a suppression or acknowledgement without a known rule id or a reason",
    Code.COMPLIANCE_SCOPE: "a compliance helper given something that is not a repository defined in this app",
    Code.AUDIT_SCOPE: "the audit's regions, roles or accounts cannot be read as a scope",
    Code.CATALOG_FILE: "a catalog file that cannot be read or is not YAML or JSON",
    Code.CATALOG_SCHEMA: "a catalog entry the schema or the lifecycle validator rejects",
    Code.CATALOG_LIMIT: "a shard that would pass CloudFormation's resource or template-size limit",
    Code.STAGING_SIZE: "more image assets than the app-staging synthesizer's 51,200-byte staging template holds",
    Code.BOOTSTRAP_TEMPLATE: "not a CDK bootstrap template with a ContainerAssetsRepository, or a bad option",
    Code.BOOTSTRAP_ENCRYPTION: "an encryption change asked for a bootstrap that is already deployed",
}


@dataclass(frozen=True)
class Violation:
    """One problem found in user input.

    ``code`` is stable (see :class:`Code`), ``where`` locates it (a property name, or ``rule 2`` in a
    lifecycle policy), ``field`` names the offending field, ``value`` echoes what was received and
    ``fix`` says how to correct it.
    """

    field: str
    value: object
    fix: str
    where: str | None = None
    code: Code = dataclass_field(kw_only=True)

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where else ""
        return f"[{self.code}] {place}{self.field}={self.value!r}: {self.fix}"


class EcrPatternsError(Exception):
    """Base class of every error this library raises."""


class ValidationError(EcrPatternsError, ValueError):
    """Bad input, found at synth time before anything deploys.

    Carries every :class:`Violation` found, so one run shows all of them; ``context`` names where
    (a construct path, or ``lifecycle policy``).
    """

    def __init__(self, violations: Iterable[Violation], *, context: str | None = None) -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        if not self.violations:
            raise ValueError("ValidationError needs at least one violation")
        self.context = context
        super().__init__(self._render())

    @classmethod
    def single(
        cls, field: str, value: object, fix: str, *, code: Code, where: str | None = None, context: str | None = None
    ) -> ValidationError:
        """An error for one bad value."""
        return cls([Violation(field=field, value=value, fix=fix, where=where, code=code)], context=context)

    @property
    def codes(self) -> list[Code]:
        """The code of each violation, in order."""
        return [v.code for v in self.violations]

    def _render(self) -> str:
        head = f"{self.context}: " if self.context else ""
        if len(self.violations) == 1:
            return head + str(self.violations[0])
        lines = [f"{head}{len(self.violations)} problems:"]
        lines += [f"  - {v}" for v in self.violations]
        return "\n".join(lines)


class Problems:
    """Collects violations so a construct can report every problem in one :class:`ValidationError`."""

    def __init__(self) -> None:
        self.items: list[Violation] = []

    def add(self, field: str, value: object, fix: str, *, code: Code, where: str | None = None) -> None:
        self.items.append(Violation(field, value, fix, where, code=code))

    def extend(self, error: ValidationError) -> None:
        self.items.extend(error.violations)

    def raise_if_any(self, *, context: str | Callable[[], str] | None) -> None:
        """Raise one :class:`ValidationError` with every problem; ``context`` may be a callable, asked only
        then (a construct path costs a call into Node)."""
        if self.items:
            raise ValidationError(self.items, context=context() if callable(context) else context)
