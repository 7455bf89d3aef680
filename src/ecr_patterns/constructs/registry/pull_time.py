"""``PullTimeUpdateExclusions``: principals whose pulls do not update an image's ``lastRecordedPullTime``.

ECR "updates the LastRecordedPullTime timestamp on every pull except for pulls by Amazon Inspector" (User
Guide, "Pull-time update exclusions"), so a third-party scanner that pulls every image keeps them all looking in
use and defeats ``sinceImagePulled`` lifecycle rules (``archive_images_not_pulled_for_days``). Registering the
scanner's, replication's or backup's roles here stops that. "You can configure up to 100 exclusions per
account"; each principal ARN is at most 200 characters matching
``^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\\w+=,.@-]+(/[\\w+=,.@-]+)*$`` (API reference,
RegisterPullTimeUpdateExclusion).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from aws_cdk import Token
from aws_cdk import aws_ecr as ecr
from constructs import Construct

from ecr_patterns.constructs.registry import _validate as check
from ecr_patterns.constructs.registry._environment import claim_once
from ecr_patterns.core.errors import Code, Problems

PRINCIPAL_ARN = re.compile(r"^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\w+=,.@-]+(/[\w+=,.@-]+)*$")
MAX_PRINCIPAL_ARN = 200
MAX_EXCLUSIONS = 100


class PullTimeUpdateExclusions(Construct):
    """The registry's pull-time update exclusions (one construct per account and region, up to 100 principals).

    :param principal_arns: IAM role or user ARNs (``role.role_arn`` works: tokens are left to CloudFormation),
        each once.
    """

    def __init__(self, scope: Construct, id: str, *, principal_arns: Sequence[str]) -> None:
        super().__init__(scope, id)
        arns = list(principal_arns)
        problems = Problems()
        if not arns:
            problems.add("principal_arns", arns, "give at least one role or user ARN", code=Code.REGISTRY_ARGUMENT)
        check.at_most(problems, "principal_arns", len(arns), MAX_EXCLUSIONS, "pull-time update exclusions per account")
        seen: set[str] = set()
        for arn in arns:
            if isinstance(arn, str) and Token.is_unresolved(arn):
                continue
            if not isinstance(arn, str) or len(arn) > MAX_PRINCIPAL_ARN or not PRINCIPAL_ARN.match(arn):
                problems.add(
                    "principal_arns",
                    arn,
                    "an IAM role or user ARN such as arn:aws:iam::111111111111:role/Scanner (at most 200 characters)",
                    code=Code.REGISTRY_ARGUMENT,
                )
            elif arn in seen:
                problems.add("principal_arns", arn, "each principal once", code=Code.REGISTRY_DUPLICATE)
            seen.add(arn)
        problems.raise_if_any(context=lambda: self.node.path)
        claim_once(self, "pull-time update exclusions")
        self.principal_arns = arns
        self.exclusions = [
            ecr.CfnPullTimeUpdateExclusion(self, f"Exclusion{i + 1}", principal_arn=arn) for i, arn in enumerate(arns)
        ]
