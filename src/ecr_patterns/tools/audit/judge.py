"""Judge what was read with the synth-time rules: a live repository (and a creation template) becomes the one
repository model, ``ecr_patterns.core.settings.RepositorySettings``, which the rules, the other tools' verdicts and
the creation-template comparison all read, so each rule exists once and judges a template and a live repository
alike. Rules about template-only settings (``Rule.live`` false, such as the deletion policy) do not run."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from ecr_patterns.core.compliance.engine import SCANNING_TYPE, ComplianceConfig, check_resource, registry_scan_filters
from ecr_patterns.core.compliance.model import RuleContext, Status
from ecr_patterns.core.compliance.rules import scan_on_push
from ecr_patterns.core.settings import RepositorySettings
from ecr_patterns.tools.audit.effect import LifecycleEffect, Prices, lifecycle_effect
from ecr_patterns.tools.audit.reader import LiveRegistry, LiveRepository, Unreadable
from ecr_patterns.tools.audit.report import COULD_NOT_READ, AuditFinding, AuditReport, RepositoryResult
from ecr_patterns.tools.audit.standards import STANDARDS, disagreement, verdicts

TEMPLATE_MISMATCH = "EcrPatterns-CreationTemplateMismatch"
READ_FIX = "give the audit the read-only IAM policy in README (or retry later, if throttled)"


def live_settings(repository: LiveRepository) -> RepositorySettings:
    """A live repository as the model the rules judge (the same reader adoption uses)."""
    return RepositorySettings.from_live(
        repository.description,
        lifecycle_policy=repository.lifecycle_policy_text,
        repository_policy=repository.repository_policy_text,
        tags=repository.tags,
        kms_key_manager=repository.key_manager,
    )


ROOT_PREFIX = "ROOT"
"""The prefix of the template for every repository no other template matches (ECR API reference,
CreateRepositoryCreationTemplate: "To apply a template to all repositories in your registry that don't have an
associated creation template, you can use ROOT as the prefix")."""


def _applies(prefix: str, name: str) -> bool:
    # "There is always an assumed / applied to the end of the prefix": prod matches prod/api, not production.
    return name.startswith(prefix.rstrip("/") + "/")


def template_for(name: str, templates: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The creation template ECR applies to a repository named ``name``: the longest matching prefix (a prefix
    is a namespace: ``prod`` matches ``prod/api``), else the ``ROOT`` template."""
    found = [t for t in templates if t.get("prefix") != ROOT_PREFIX and _applies(str(t.get("prefix", "")), name)]
    if found:
        return max(found, key=lambda t: len(str(t.get("prefix", ""))))
    return next((t for t in templates if t.get("prefix") == ROOT_PREFIX), None)


def _differences(mine: RepositorySettings, theirs: RepositorySettings) -> list[str]:
    """The rules' settings in which a repository differs from the repository its creation template makes."""
    out = []
    if mine.tag_mutability != theirs.tag_mutability:
        out.append(f"ImageTagMutability {mine.tag_mutability} (template: {theirs.tag_mutability})")
    # A template that names no key makes KMS repositories with aws/ecr, whose ARN the repository then shows:
    # only a key the template names must match.
    if mine.encryption_type != theirs.encryption_type or (theirs.kms_key and mine.kms_key != theirs.kms_key):
        out.append(f"EncryptionConfiguration {_encryption(mine)} (template: {_encryption(theirs)})")
    parsed = []
    for text in (mine.lifecycle_policy, theirs.lifecycle_policy):
        try:
            parsed.append(json.loads(text) if isinstance(text, str) and text else None)
        except json.JSONDecodeError:
            parsed.append(text)
    if parsed[0] != parsed[1]:
        out.append("the lifecycle policy" + (" (the template has none)" if parsed[1] is None else ""))
    return out


def _encryption(settings: RepositorySettings) -> str:
    shown: dict[str, Any] = {"EncryptionType": settings.encryption_type}
    if settings.kms_key:
        shown["KmsKey"] = str(settings.kms_key)
    return json.dumps(shown)


def scanning_as_template(configuration: Mapping[str, Any] | None) -> dict[str, Any]:
    """A registry scanning configuration (``get_registry_scanning_configuration``) as a template resource."""
    if not configuration:
        return {"Resources": {}}
    rules = [
        {
            "ScanFrequency": rule.get("scanFrequency"),
            "RepositoryFilters": [
                {"Filter": f.get("filter"), "FilterType": f.get("filterType")}
                for f in rule.get("repositoryFilters", [])
            ],
        }
        for rule in configuration.get("rules", [])
    ]
    props = {"ScanType": configuration.get("scanType"), "Rules": rules}
    return {"Resources": {"RegistryScanning": {"Type": SCANNING_TYPE, "Properties": props}}}


def _could_not_read(
    unreadable: Iterable[Unreadable], account: str | None, region: str, repository: LiveRepository | None
) -> list[AuditFinding]:
    return [
        AuditFinding(
            COULD_NOT_READ,
            u.level,
            account,
            region,
            repository.name if repository else None,
            repository.arn if repository else None,
            f"could not read the {u.what}" + (f" of {repository.name}" if repository else "") + f": {u.error}",
            READ_FIX,
            subject=u.what,
        )
        for u in unreadable
    ]


def _registry_json(registry: LiveRegistry) -> dict[str, Any]:
    return {
        "account": registry.account,
        "region": registry.target.region,
        "roleArn": registry.target.role_arn,
        "repositories": len(registry.repositories),
        "scanningConfiguration": registry.scanning_configuration,
        "registryPolicy": registry.registry_policy,
        "replicationConfiguration": registry.replication_configuration,
        "pullThroughCacheRules": registry.pull_through_cache_rules,
        "repositoryCreationTemplates": registry.creation_templates,
        "pullTimeUpdateExclusions": registry.pull_time_exclusions,
        "unreadable": [{"what": u.what, "error": u.error, "level": u.level} for u in registry.unreadable],
    }


def judge_estate(
    registries: Iterable[LiveRegistry],
    config: ComplianceConfig | None = None,
    *,
    now: datetime | None = None,
    scope: Mapping[str, Any] | None = None,
    prices: Prices | None = None,
) -> AuditReport:
    """The findings of every live-capable rule and of the lifecycle-effect checks on what was read.

    :param config: default ``ComplianceConfig()``: every rule at its own level.
    :param now: default ``None``: the current UTC time (the lifecycle preview's evaluation time).
    :param scope: default ``None``; what was asked for, copied into the report.
    :param prices: default ``Prices()`` (see :class:`ecr_patterns.tools.audit.effect.Prices`).
    """
    config = config or ComplianceConfig()
    live_config = replace(config, rules=tuple(r for r in config.rules if r.live))
    run = _Run(config, live_config, now or datetime.now(UTC), prices)
    results: list[RepositoryResult] = []
    findings: list[AuditFinding] = []
    registries = list(registries)
    for registry in registries:
        findings += _could_not_read(registry.unreadable, registry.account, registry.target.region, None)
        filters = registry_scan_filters([scanning_as_template(registry.scanning_configuration)])
        findings += _judge_creation_templates(registry, filters, run)
        for repository in sorted(registry.repositories, key=lambda r: r.name):
            result = _judge_repository(repository, registry, filters, run)
            results.append(result)
            findings += result.findings
    return AuditReport(run.moment, dict(scope or {}), [_registry_json(r) for r in registries], results, findings)


@dataclass(frozen=True)
class _Run:
    """What every judgement of one audit shares: the rules (all, and the live-capable ones), the evaluation
    time of the lifecycle preview, and the prices."""

    config: ComplianceConfig
    live_config: ComplianceConfig
    moment: datetime
    prices: Prices | None


def _judge_creation_templates(registry: LiveRegistry, filters: tuple[str, ...], run: _Run) -> list[AuditFinding]:
    """The live-capable rules on the repositories each of the registry's creation templates makes."""
    findings = []
    for template in registry.creation_templates or []:
        prefix = str(template.get("prefix", ""))
        shape = RepositorySettings.from_creation_template(template, api=True)
        ctx = RuleContext(
            f"template {prefix}", {}, filters, run.config.require_kms, run.config.require_customer_managed_key
        )
        for finding in check_resource(prefix, shape, ctx, run.live_config):
            standards = STANDARDS.get(finding.rule_id)
            findings.append(
                AuditFinding(
                    finding.rule_id,
                    str(finding.level),
                    registry.account,
                    registry.target.region,
                    f"creation template {prefix}",
                    None,
                    f"repositories ECR creates from this template: {finding.message}",
                    finding.fix,
                    standards.to_json() if standards else {},
                    None,
                    finding.location,
                    f"creation template {prefix}",
                )
            )
    return findings


def _judge_repository(
    repository: LiveRepository, registry: LiveRegistry, filters: tuple[str, ...], run: _Run
) -> RepositoryResult:
    """One live repository: what could not be read, the rules on its model (:func:`live_settings`), its
    lifecycle policy's effect and its creation template's agreement, in that order."""
    account = repository.account or registry.account or ""
    region = registry.target.region
    settings = live_settings(repository)
    exclusions = None if registry.pull_time_exclusions is None else len(registry.pull_time_exclusions)
    ctx = RuleContext(
        repository.name, {}, filters, run.config.require_kms, run.config.require_customer_managed_key, exclusions
    )
    views = verdicts(settings, _registry_covers(repository.name, filters))
    own: list[AuditFinding] = _could_not_read(repository.unreadable, account, region, repository)
    for finding in check_resource(repository.name, settings, ctx, run.live_config):
        standards = STANDARDS.get(finding.rule_id)
        own.append(
            AuditFinding(
                finding.rule_id,
                str(finding.level),
                account,
                region,
                repository.name,
                repository.arn,
                finding.message,
                finding.fix,
                standards.to_json() if standards else {},
                disagreement(views.get(finding.rule_id, {})),
                finding.location,
            )
        )
    effect = _repository_effect(repository, run)
    own += _effect_findings(repository, effect, account, region)
    matching = template_for(repository.name, registry.creation_templates or [])
    mismatch = _template_mismatch(repository, settings, matching, account, region)
    if mismatch is not None:
        own.append(mismatch)
    images = repository.images
    return RepositoryResult(
        repository.name,
        repository.arn,
        account,
        region,
        len(images) if images is not None else None,
        sum(int(i.get("imageSizeInBytes") or 0) for i in images) if images is not None else None,
        effect.to_json() if effect else None,
        views,
        own,
        str(matching.get("prefix")) if matching is not None else None,
    )


def _repository_effect(repository: LiveRepository, run: _Run) -> LifecycleEffect | None:
    """What the repository's lifecycle policy does to its images; ``None`` when its images were not read."""
    if repository.images is None:
        return None
    return lifecycle_effect(
        repository.lifecycle_policy_text,
        repository.images,
        now=run.moment,
        index_children=repository.index_children,
        layers_of=repository.layers_of,
        prices=run.prices,
    )


def _effect_findings(
    repository: LiveRepository, effect: LifecycleEffect | None, account: str, region: str
) -> list[AuditFinding]:
    """The lifecycle effect's findings as audit findings, judged by the standard of the lifecycle policy rule."""
    return [
        AuditFinding(
            item.rule_id,
            item.level,
            account,
            region,
            repository.name,
            repository.arn,
            item.message,
            item.fix,
            STANDARDS["EcrPatterns-LifecyclePolicy"].to_json(),
            "Security Hub, AWS Config and prowler pass it: a policy exists"
            if repository.lifecycle_policy_text
            else None,
            "Properties.LifecyclePolicy",
            item.subject,
        )
        for item in (effect.findings if effect else [])
    ]


def _template_mismatch(
    repository: LiveRepository,
    settings: RepositorySettings,
    matching: Mapping[str, Any] | None,
    account: str,
    region: str,
) -> AuditFinding | None:
    """A warning when the repository differs from the creation template that matches its name."""
    if matching is None:
        return None
    differs = _differences(settings, RepositorySettings.from_creation_template(matching, api=True))
    if not differs:
        return None
    matched = matching.get("prefix")
    return AuditFinding(
        TEMPLATE_MISMATCH,
        "warning",
        account,
        region,
        repository.name,
        repository.arn,
        f"differs from the creation template {matched} that matches its name "
        f"({', '.join(matching.get('appliedFor') or [])}): {'; '.join(differs)}. If ECR created "
        "it through the template it has been changed since; if not, the template does not apply",
        "make the repository and its template agree, or narrow the template's prefix",
        {},
        None,
        "Properties",
        f"creation template {matched}",
    )


def _registry_covers(name: str, filters: tuple[str, ...]) -> bool:
    """Whether registry scanning alone covers a repository: the scan rule's own filter matching, on a
    repository that does not scan on push itself."""
    probe = RepositorySettings(source="live", name=name)
    return scan_on_push.check(probe, RuleContext(name, {}, filters)).status is Status.COMPLIANT
