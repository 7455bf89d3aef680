"""What a live repository's lifecycle policy really does, from the offline preview on its live images.

The projection over the next 90 days is an estimate, said so wherever it is shown: future pushes arrive at the
rate of the last 30 days, each one like a recent image (same tags, same size), and no image is pulled. ECR's
documentation gives no forecast of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ecr_patterns.core._text import plural
from ecr_patterns.core.errors import ValidationError
from ecr_patterns.core.lifecycle.model import CountType, LifecyclePolicy, StorageClass, TagStatus
from ecr_patterns.core.lifecycle.preview import preview_lifecycle_policy
from ecr_patterns.core.lifecycle.validate import validate_lifecycle_policy

HORIZON_DAYS = 90
RATE_WINDOW_DAYS = 30
MAX_PROJECTED_IMAGES = 100_000
"""At most this many future pushes are simulated (memory stays bounded on a very busy repository)."""


@dataclass(frozen=True)
class EffectFinding:
    rule_id: str
    message: str
    fix: str
    level: str = "warning"
    subject: str | None = None


@dataclass
class LifecycleEffect:
    """Images and bytes a policy acts on at the next evaluation, and what it misses."""

    images: int = 0
    stored_bytes: int = 0
    expiring_images: int = 0
    expiring_bytes: int = 0
    archiving_images: int = 0
    archiving_bytes: int = 0
    due_soon_images: int = 0
    pushes_per_day: float = 0.0
    projected_marked_images: int | None = None
    """Images the policy expires or archives within 90 days at the current push rate (estimate)."""
    kept_by_pull_only: int = 0
    """Images a ``sinceImagePulled`` rule keeps only because of their last recorded pull."""
    layers: dict[str, int] | None = None
    """With layer manifests: unique layer bytes stored, freed by expiring images, moving to archive."""
    cost: dict[str, float | None] | None = None
    findings: list[EffectFinding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "images": self.images,
            "storedBytes": self.stored_bytes,
            "expiringImages": self.expiring_images,
            "expiringBytes": self.expiring_bytes,
            "archivingImages": self.archiving_images,
            "archivingBytes": self.archiving_bytes,
            "dueSoonImages": self.due_soon_images,
            "bytesAfterNextEvaluation": self.stored_bytes - self.expiring_bytes - self.archiving_bytes,
            "pushesPerDay": round(self.pushes_per_day, 3),
            "projectedMarkedImages90Days": self.projected_marked_images,
            "keptByPullOnly": self.kept_by_pull_only,
            "layers": self.layers,
            "monthlyCost": self.cost,
        }


def _pushed(image: Mapping[str, Any]) -> datetime | None:
    value = image.get("imagePushedAt")
    return value if isinstance(value, datetime) else None


def _bounds_every_tagged_image(policy: LifecyclePolicy) -> bool:
    """Whether some rule selects every tagged image of standard storage: ``tagStatus: any``, or ``tagged`` with
    the pattern ``*``."""
    for rule in policy.rules:
        sel = rule.selection
        if sel.effective_storage_class is not StorageClass.STANDARD:
            continue
        if sel.tag_status is TagStatus.ANY or (
            sel.tag_status is TagStatus.TAGGED and "*" in (sel.tag_pattern_list or ())
        ):
            return True
    return False


def _future_images(images: Sequence[Mapping[str, Any]], now: datetime) -> tuple[list[dict[str, Any]], float]:
    """Pushes over the next 90 days at the last 30 days' rate, each like a recent image (estimate)."""
    since = now - timedelta(days=RATE_WINDOW_DAYS)
    recent = sorted(
        (i for i in images if (_pushed(i) or since) > since and not i.get("subjectManifestDigest")),
        key=lambda i: _pushed(i) or since,
        reverse=True,
    )
    rate = len(recent) / RATE_WINDOW_DAYS
    count = min(round(rate * HORIZON_DAYS), MAX_PROJECTED_IMAGES)
    if not count:
        return [], rate
    step = timedelta(days=HORIZON_DAYS) / count
    future = [
        {
            "imageDigest": f"sha256:projected-{k}",
            "imageTags": list(recent[k % len(recent)].get("imageTags") or []),
            "imagePushedAt": now + step * (k + 1),
            "imageSizeInBytes": recent[k % len(recent)].get("imageSizeInBytes", 0),
        }
        for k in range(count)
    ]
    return future, rate


@dataclass(frozen=True)
class Prices:
    """Prices per GB-month (GB = 10^9 bytes) in USD, for the money columns; override them with ``--prices``.

    aws.amazon.com/ecr/pricing could not be read from here. The defaults are what two independent transcriptions
    of it give (us-east-1 and ap-northeast-1, 2026-03, the second from the AWS Price List API): standard $0.10,
    archive $0.10 for an account's first 150 TB of archive ($0.07 above: the tier is account-wide, so a
    per-repository figure uses the first). The restore fee ($0.03 per GB was seen for ap-northeast-1 only) has
    no default. ECR's User Guide ("Archiving an image") documents the 90-day minimum storage duration of archived
    images and that a restore takes up to 20 minutes.
    """

    standard_per_gb_month: float = 0.10
    archive_per_gb_month: float | None = 0.10
    restore_per_gb: float | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Prices:
        allowed = {"standardPerGbMonth", "archivePerGbMonth", "restorePerGb"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown price keys {sorted(unknown)}; allowed: {sorted(allowed)}")
        values = {k: data.get(k) for k in allowed}
        for key, value in values.items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float) or value < 0):
                raise ValueError(f"{key} must be a number >= 0, not {value!r}")
        default = cls()
        return cls(
            default.standard_per_gb_month
            if values["standardPerGbMonth"] is None
            else float(values["standardPerGbMonth"]),
            default.archive_per_gb_month if "archivePerGbMonth" not in data else _optional(values["archivePerGbMonth"]),
            _optional(values["restorePerGb"]),
        )


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)


GB = 1_000_000_000


def _time(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def kept_only_by_pull(
    policy: LifecyclePolicy, images: Sequence[Mapping[str, Any]], reasons: Sequence[Mapping[str, Any]], now: datetime
) -> int:
    """Images a ``sinceImagePulled`` rule decides to keep that it would mark by their push (or restore) time:
    only their last recorded pull keeps them. ECR records every pull but Amazon Inspector's, so a scanner's
    pulls count (issue 14's pull-time exclusions remove them)."""
    pulled_rules = {
        r.rule_priority: r.selection.count_number
        for r in policy.rules
        if r.selection.count_type is CountType.SINCE_IMAGE_PULLED
    }
    if not pulled_rules:
        return 0
    by_digest = {str(i.get("imageDigest")): i for i in images}
    count = 0
    for reason in reasons:
        priority = reason["appliedRulePriority"]
        if reason["decision"] != "KEEP" or priority not in pulled_rules or not reason["selectedBy"]:
            continue
        image = by_digest.get(reason["imageDigest"], {})
        times = [t for t in (_time(image.get("imagePushedAt")), _time(image.get("lastActivatedAt"))) if t]
        pulled = _time(image.get("lastRecordedPullTime"))
        if times and pulled is not None and max(times) < now - timedelta(days=pulled_rules[priority]):
            count += 1
    return count


def layer_bytes(
    layers_of: Mapping[str, Sequence[tuple[str, int]]], reasons: Sequence[Mapping[str, Any]]
) -> dict[str, int]:
    """Unique layer bytes: stored, freed when the expiring images go (layers no other image shares) and moving
    to archive. A layer shared by a kept and an expiring image frees nothing. Whether ECR bills a layer shared
    between storage classes or repositories once is not documented."""
    decision = {r["imageDigest"]: r["decision"] for r in reasons}
    users: dict[str, set[str]] = {}
    size: dict[str, int] = {}
    for digest, layers in layers_of.items():
        for layer, nbytes in layers:
            users.setdefault(layer, set()).add(decision.get(digest, "KEEP"))
            size[layer] = nbytes
    return {
        "storedBytes": sum(size.values()),
        "expiringBytes": sum(size[layer] for layer, u in users.items() if u == {"EXPIRE"}),
        "archivingBytes": sum(size[layer] for layer, u in users.items() if u == {"TRANSITION"}),
    }


def lifecycle_effect(
    policy_text: str | None,
    images: Sequence[Mapping[str, Any]],
    *,
    now: datetime,
    index_children: Mapping[str, Sequence[str]] | None = None,
    layers_of: Mapping[str, Sequence[tuple[str, int]]] | None = None,
    prices: Prices | None = None,
) -> LifecycleEffect | None:
    """The policy's effect on ``images`` (every page, every status) at ``now``; ``None`` without a policy, or
    for one the validator rejects (the compliance rule EcrPatterns-LifecyclePolicy reports that).

    :param index_children: default ``None``: no image index's manifest known.
    :param layers_of: default ``None``: bytes are the images' ``imageSizeInBytes``; with each image's
        (layer digest, size) pairs, bytes are also counted per unique layer.
    :param prices: default ``Prices()``.
    """
    effect = LifecycleEffect(images=len(images), stored_bytes=sum(int(i.get("imageSizeInBytes") or 0) for i in images))
    if policy_text is None:
        return None
    try:
        policy = validate_lifecycle_policy(policy_text)
    except ValidationError:
        return None
    result = preview_lifecycle_policy(policy, images, now=now, index_children=index_children)
    _count_next_evaluation(effect, result)
    reasons = result["imageReasons"]
    if layers_of is not None:
        effect.layers = layer_bytes(layers_of, reasons)
    effect.cost = _monthly_cost(effect, prices or Prices())
    if not images:
        return effect

    effect.findings += _rule_findings(policy, len(images), reasons)
    effect.kept_by_pull_only = kept_only_by_pull(policy, images, reasons, now)
    if effect.kept_by_pull_only:
        effect.findings.append(_kept_by_pull_finding(effect.kept_by_pull_only))
    if not _bounds_every_tagged_image(policy):
        effect.findings.append(_unbounded_finding(reasons))
    _project(effect, policy, images, now=now, index_children=index_children)
    return effect


def _count_next_evaluation(effect: LifecycleEffect, result: Mapping[str, Any]) -> None:
    """The images and bytes the preview expires, archives or soon marks at the next evaluation."""
    totals = result["totals"]
    effect.expiring_images = result["summary"]["expiringImageTotalCount"]
    effect.archiving_images = sum(t["imageTotalCount"] for t in result["summary"]["transitioningImageTotalCounts"])
    effect.expiring_bytes = totals["expiringImageBytes"]
    effect.archiving_bytes = totals["transitioningImageBytes"]
    effect.due_soon_images = totals["dueSoonImageCount"]


def _monthly_cost(effect: LifecycleEffect, price: Prices) -> dict[str, float | None]:
    """Storage per month now and after the next evaluation, by unique layer bytes when known."""
    stored = effect.layers["storedBytes"] if effect.layers else effect.stored_bytes
    freed = effect.layers["expiringBytes"] if effect.layers else effect.expiring_bytes
    moved = effect.layers["archivingBytes"] if effect.layers else effect.archiving_bytes
    archive_cost = None if price.archive_per_gb_month is None else moved / GB * price.archive_per_gb_month
    return {
        "standardNow": round(stored / GB * price.standard_per_gb_month, 4),
        "standardAfterNextEvaluation": round((stored - freed - moved) / GB * price.standard_per_gb_month, 4),
        "archiveAfterNextEvaluation": None if archive_cost is None else round(archive_cost, 4),
        "restorePerGb": price.restore_per_gb,
    }


def _rule_findings(
    policy: LifecyclePolicy, image_count: int, reasons: Sequence[Mapping[str, Any]]
) -> list[EffectFinding]:
    """Rules that select none of the ``image_count`` images, and rules whose every image a rule before them
    selected first."""
    deciding = {r["selectedBy"][0] for r in reasons if r["selectedBy"]}
    selecting = {p for r in reasons for p in r["selectedBy"]}
    findings = []
    for rule in policy.rules:
        priority = rule.rule_priority
        if priority not in selecting:
            findings.append(
                EffectFinding(
                    "EcrPatterns-LifecycleRuleSelectsNothing",
                    f"rule {priority} selects none of the {plural(image_count, 'image')}",
                    "check its tag prefixes or patterns against the repository's tags, or remove the rule",
                    subject=f"rule {priority}",
                )
            )
        elif priority not in deciding:
            findings.append(
                EffectFinding(
                    "EcrPatterns-LifecycleRuleShadowed",
                    f"rule {priority} decides nothing: every image it selects was selected first by a "
                    "higher-priority rule",
                    "give the rule a higher priority (a lower rulePriority) or narrow the rules before it",
                    subject=f"rule {priority}",
                )
            )
    return findings


def _kept_by_pull_finding(kept: int) -> EffectFinding:
    return EffectFinding(
        "EcrPatterns-LifecycleKeptByPullOnly",
        f"{plural(kept, 'image')} that a sinceImagePulled rule would otherwise mark "
        "are kept only by their last recorded pull; ECR records every pull but Amazon Inspector's, so a "
        "third-party scanner's pulls keep images looking in use",
        "exclude scanner, replication and backup roles with ECR's pull-time update exclusions "
        "(AWS::ECR::PullTimeUpdateExclusion)",
        level="note",
    )


def _unbounded_finding(reasons: Sequence[Mapping[str, Any]]) -> EffectFinding:
    unselected = sum(1 for r in reasons if r["imageTags"] and not r["selectedBy"])
    return EffectFinding(
        "EcrPatterns-LifecycleGrowthUnbounded",
        "no rule bounds the tagged images (no tagStatus any rule, no tagged rule with the pattern *): "
        f"{plural(unselected, 'tagged image')} "
        + ("matches no rule and is kept forever" if unselected == 1 else "match no rule and are kept forever"),
        "add a last rule such as keep_last(n) with tagStatus any, or archive old tagged images",
    )


def _project(
    effect: LifecycleEffect,
    policy: LifecyclePolicy,
    images: Sequence[Mapping[str, Any]],
    *,
    now: datetime,
    index_children: Mapping[str, Sequence[str]] | None,
) -> None:
    """The 90-day projection at the current push rate (an estimate), and the finding for a policy that marks
    nothing now nor then."""
    future, effect.pushes_per_day = _future_images(images, now)
    horizon = now + timedelta(days=HORIZON_DAYS)
    projected = preview_lifecycle_policy(policy, [*images, *future], now=horizon, index_children=index_children)
    summary = projected["summary"]
    effect.projected_marked_images = summary["expiringImageTotalCount"] + sum(
        t["imageTotalCount"] for t in summary["transitioningImageTotalCounts"]
    )
    if effect.projected_marked_images == 0 and effect.expiring_images + effect.archiving_images == 0:
        effect.findings.append(
            EffectFinding(
                "EcrPatterns-LifecycleExpiresNothing",
                f"the policy expires or archives nothing now nor over the next {HORIZON_DAYS} days at the current "
                f"push rate ({effect.pushes_per_day:.2f} pushes a day over the last {RATE_WINDOW_DAYS} days; an "
                "estimate): it exists (Security Hub ECR.3 passes) but bounds nothing",
                "add rules that select the images this repository really holds (tagged ones included)",
            )
        )
