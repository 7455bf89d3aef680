"""Readable lifecycle rules: pure functions that return ``aws_cdk.aws_ecr.LifecycleRule``.

They work with a plain ``aws_ecr.Repository`` as well as with our patterns. Arguments are
checked at once: a bad value raises :class:`~ecr_patterns.core.errors.ValidationError` naming the
argument, the value and the fix, before anything is synthesized.

ECR lifecycle rules act on images, not tags: an image with tags ``prod-1`` and ``dev-7`` is
selected by a ``prod`` rule and by a ``dev`` rule alike, and the rule with the lower priority
number decides its fate (see :func:`ecr_patterns.lifecycle.preview_lifecycle_policy`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

from aws_cdk import Duration, Token
from aws_cdk import aws_ecr as ecr

from ecr_patterns.core import defaults
from ecr_patterns.core.errors import Code, Problems, ValidationError
from ecr_patterns.core.lifecycle import standard
from ecr_patterns.core.lifecycle.checks import Arguments
from ecr_patterns.core.lifecycle.model import Action, CountType, PolicyRule, Selection, TagStatus


def _prefixes(args: Arguments, prefix: object) -> list[str]:
    hint = "use delete_tagged_matching_after_days for wildcard patterns"
    return args.tags("prefix", prefix, patterns=False, one_string=True, wildcards_hint=hint)


def _checked(args: Arguments, rule_priority: object) -> None:
    """Check ``rule_priority`` too (a number token passes: CloudFormation resolves it), then raise one
    :class:`ValidationError` with every problem."""
    args.priority(rule_priority, unresolved=Token.is_unresolved)
    args.check()


def delete_untagged_after_days(days: int, *, rule_priority: int | None = None) -> ecr.LifecycleRule:
    """Expire untagged images ``days`` days after they were pushed.

    :param days: age in days, an integer >= 1.
    :param rule_priority: explicit priority; default ``None`` (assigned in order of addition).
    """
    args = Arguments()
    days = args.count("days", days, unit="days")
    _checked(args, rule_priority)
    return ecr.LifecycleRule(
        description=standard.untagged_description(days),
        tag_status=ecr.TagStatus.UNTAGGED,
        max_image_age=Duration.days(days),
        rule_priority=rule_priority,
    )


def keep_last_n_images(count: int, *, rule_priority: int | None = None) -> ecr.LifecycleRule:
    """Keep the ``count`` most recently pushed images (all images, tagged or not); expire the rest.

    ECR requires this ``tagStatus: any`` rule to have the highest priority number, so it runs
    last: images that earlier rules selected still count towards ``count``.

    :param count: number of images to keep, an integer >= 1.
    :param rule_priority: explicit priority; default ``None`` (assigned last).
    """
    args = Arguments()
    count = args.count("count", count, unit="images")
    _checked(args, rule_priority)
    return ecr.LifecycleRule(
        description=standard.keep_last_description(count),
        tag_status=ecr.TagStatus.ANY,
        max_image_count=count,
        rule_priority=rule_priority,
    )


def delete_tagged_after_days(
    prefix: str | Sequence[str], days: int, *, rule_priority: int | None = None
) -> ecr.LifecycleRule:
    """Expire images with a tag starting with ``prefix`` ``days`` days after push.

    With several prefixes an image is selected only when it has a tag for *every* prefix.

    :param prefix: tag prefix, or a list of them; no ``*`` (see :func:`delete_tagged_matching_after_days`).
    :param days: age in days, an integer >= 1.
    :param rule_priority: explicit priority; default ``None`` (assigned in order of addition).
    """
    args = Arguments()
    prefixes = _prefixes(args, prefix)
    days = args.count("days", days, unit="days")
    _checked(args, rule_priority)
    return ecr.LifecycleRule(
        description=f"Expire images tagged {'+'.join(prefixes)}* {days} days after push",
        tag_status=ecr.TagStatus.TAGGED,
        tag_prefix_list=prefixes,
        max_image_age=Duration.days(days),
        rule_priority=rule_priority,
    )


def delete_tagged_matching_after_days(
    pattern: str | Sequence[str], days: int, *, rule_priority: int | None = None
) -> ecr.LifecycleRule:
    """Expire images with a tag matching ``pattern`` ``days`` days after push.

    ``*`` matches any run of characters (including none) and the pattern is anchored at both
    ends: ``"*-rc*"`` matches ``1.0-rc2``, ``"prod"`` matches only ``prod``.

    :param pattern: tag pattern, or a list of them (each with at most four ``*``).
    :param days: age in days, an integer >= 1.
    :param rule_priority: explicit priority; default ``None`` (assigned in order of addition).
    """
    args = Arguments()
    patterns = args.tags("pattern", pattern, patterns=True, one_string=True)
    days = args.count("days", days, unit="days")
    _checked(args, rule_priority)
    return ecr.LifecycleRule(
        description=f"Expire images tagged {'+'.join(patterns)} {days} days after push",
        tag_status=ecr.TagStatus.TAGGED,
        tag_pattern_list=patterns,
        max_image_age=Duration.days(days),
        rule_priority=rule_priority,
    )


def keep_tagged_images(
    prefix: str | Sequence[str], count: int, *, rule_priority: int | None = None
) -> ecr.LifecycleRule:
    """Keep the newest ``count`` images tagged with ``prefix``; older ones with that prefix expire.

    Placed first (lowest priority number), it shields every image it selects from later rules:
    ECR's documented "keep prod images, expire the rest after 30 days" is
    ``[keep_tagged_images("prod", 9999), delete_tagged_after_days(...), ...]``.

    :param prefix: tag prefix, or a list of them; no ``*``.
    :param count: number of matching images to keep, an integer >= 1.
    :param rule_priority: explicit priority; default ``None`` (assigned in order of addition).
    """
    args = Arguments()
    prefixes = _prefixes(args, prefix)
    count = args.count("count", count, unit="images")
    _checked(args, rule_priority)
    return ecr.LifecycleRule(
        description=f"Keep the last {count} images tagged {'+'.join(prefixes)}*",
        tag_status=ecr.TagStatus.TAGGED,
        tag_prefix_list=prefixes,
        max_image_count=count,
        rule_priority=rule_priority,
    )


def standard_dev_lifecycle_rules() -> list[ecr.LifecycleRule]:
    """Dev: untagged images expire after 7 days; keep the last 10 images."""
    return [
        delete_untagged_after_days(defaults.DEV_UNTAGGED_EXPIRY_DAYS),
        keep_last_n_images(defaults.DEV_MAX_IMAGE_COUNT),
    ]


def standard_prod_lifecycle_rules() -> list[ecr.LifecycleRule]:
    """Prod: untagged images expire after 14 days; keep the last 30 images."""
    return [
        delete_untagged_after_days(defaults.PROD_UNTAGGED_EXPIRY_DAYS),
        keep_last_n_images(defaults.PROD_MAX_IMAGE_COUNT),
    ]


def default_lifecycle_rules() -> list[ecr.LifecycleRule]:
    """SecureRepository's default: untagged images expire after 14 days; keep the last 1,000 images."""
    return [
        delete_untagged_after_days(defaults.UNTAGGED_EXPIRY_DAYS),
        keep_last_n_images(defaults.MAX_IMAGE_COUNT),
    ]


def to_policy_rule(rule: ecr.LifecycleRule) -> PolicyRule:
    """Convert an ``aws_ecr.LifecycleRule`` into the engine's :class:`PolicyRule`.

    Follows aws-cdk-lib's rendering: ``tag_status`` defaults to ``TAGGED`` when a tag list
    is given and ``ANY`` otherwise; ``max_image_age`` becomes ``sinceImagePushed`` in days.
    Number tokens are kept as they are (the policy is then rendered with
    ``Stack.to_json_string`` and not validated).
    """
    has_lists = rule.tag_prefix_list is not None or rule.tag_pattern_list is not None
    if rule.tag_status is None:
        status = TagStatus.TAGGED if has_lists else TagStatus.ANY
    else:
        status = TagStatus(rule.tag_status.value.lower())
    age, count = rule.max_image_age, rule.max_image_count
    if (age is None) == (count is None):
        raise ValidationError.single(
            "LifecycleRule",
            _describe(rule),
            "give exactly one of max_image_age and max_image_count",
            code=Code.LIFECYCLE_DURATION,
        )
    prefixes = tuple(rule.tag_prefix_list) if rule.tag_prefix_list is not None else None
    patterns = tuple(rule.tag_pattern_list) if rule.tag_pattern_list is not None else None
    if age is not None:
        selection = Selection(
            tag_status=status,
            count_type=CountType.SINCE_IMAGE_PUSHED,
            count_unit="days",
            count_number=_whole_days(age),
            tag_prefix_list=prefixes,
            tag_pattern_list=patterns,
        )
    else:
        selection = Selection(
            tag_status=status,
            count_type=CountType.IMAGE_COUNT_MORE_THAN,
            count_number=_number(cast(float, count)),
            tag_prefix_list=prefixes,
            tag_pattern_list=patterns,
        )
    priority = rule.rule_priority
    return PolicyRule(
        selection=selection,
        action=Action(),
        rule_priority=None if priority is None else _number(priority),
        description=rule.description,
    )


def to_policy_rules(rules: Iterable[ecr.LifecycleRule], problems: Problems) -> list[PolicyRule]:
    """Convert every rule with :func:`to_policy_rule`; each one that fails adds its violations to ``problems``,
    so a constructor reports all of them in one error."""
    converted: list[PolicyRule] = []
    for rule in rules:
        try:
            converted.append(to_policy_rule(rule))
        except ValidationError as err:
            problems.extend(err)
    return converted


def _whole_days(age: Duration) -> int:
    """``max_image_age`` in days. ECR counts ages in whole days (``countUnit: days``): a duration that
    is not a whole number of days is a :class:`ValidationError`, not jsii's raw conversion error."""
    days = age.to_days(integral=False)
    if isinstance(days, int | float) and days >= 1 and float(days).is_integer():
        return int(days)
    if Token.is_unresolved(days):
        return days  # type: ignore[return-value]  # a number token: CloudFormation resolves it
    raise ValidationError.single(
        "max_image_age",
        age.to_human_string(),
        "ECR counts image age in whole days: use Duration.days(n) with a whole n >= 1",
        code=Code.LIFECYCLE_DURATION,
    )


def _number(value: float) -> int:
    """A whole number as ``int``. A number token (a large negative float) or a bad value is
    passed through: the repository detects tokens, the validator reports bad values."""
    if isinstance(value, int):
        return value
    if value >= 0 and float(value).is_integer():
        return int(value)
    return value  # type: ignore[return-value]


def _describe(rule: ecr.LifecycleRule) -> str:
    fields = ("rule_priority", "tag_status", "tag_prefix_list", "tag_pattern_list", "max_image_count", "max_image_age")
    shown = {f: getattr(rule, f) for f in fields if getattr(rule, f) is not None}
    return f"LifecycleRule({', '.join(f'{k}={v}' for k, v in shown.items())})"
