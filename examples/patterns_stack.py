"""Every repository pattern of ecr-patterns in one environment-agnostic stack."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from constructs import Construct

from ecr_patterns import DevRepository, ProdRepository, SecureRepository, grants
from ecr_patterns import lifecycle as lc
from ecr_patterns.compliance import suppress

# Placeholder ids: the app synthesizes offline; replace with yours.
CI_ACCOUNT = "111111111111"
PROD_ACCOUNT = "222222222222"
ORGANIZATION_ID = "o-exampleorg1"


class PatternsStack(Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)

        # One line, secure defaults: scan on push, immutable tags, KMS, lifecycle, RETAIN.
        base = SecureRepository(self, "Base")

        # Development: mutable tags, short lifecycle, deleted with the stack.
        dev = DevRepository(self, "Dev")
        dev.grant_pull_to_accounts(CI_ACCOUNT)

        # Production: immutable, retained, pulled by another account and by the whole organization.
        prod = ProdRepository(self, "Prod")
        prod.grant_pull_to_accounts(PROD_ACCOUNT)
        prod.grant_pull_to_organization(ORGANIZATION_ID)
        prod.grant_pull_to_lambda(PROD_ACCOUNT)

        # Custom lifecycle: keep the newest 50 prod images, expire dev images after 30 days,
        # release candidates after 14, untagged after 3, keep 500 overall.
        custom = SecureRepository(
            self,
            "Custom",
            encryption_key=kms.Key(self, "ImagesKey", enable_key_rotation=True),
            # Exempt `latest` from immutability (see README: what this exemption costs).
            image_tag_mutability_exclusion_filters=[ecr.ImageTagMutabilityExclusionFilter.wildcard("latest")],
            lifecycle_rules=[
                lc.keep_tagged_images("prod", 50),
                lc.delete_tagged_after_days("dev", 30),
                lc.delete_tagged_matching_after_days("*-rc*", 14),
                lc.delete_untagged_after_days(3),
                lc.keep_last_n_images(500),
            ],
        )

        # Archive storage class (not expressible with aws_ecr.LifecycleRule): release images
        # nobody pulled for 90 days move to archive, archived images go after a year.
        custom.add_lifecycle_policy_rule(
            lc.archive_images_not_pulled_for_days(90, tag_prefixes=["release"]),
            lc.delete_archived_images_after_days(365),
        )

        # Helpers also work on a plain aws-cdk-lib repository.
        plain = ecr.Repository(self, "Plain", lifecycle_rules=lc.standard_prod_lifecycle_rules())
        grants.grant_pull_to_accounts(plain, CI_ACCOUNT)
        # The compliance plugin flags what the plain L2 leaves out; a suppression needs a reason
        # and is written into the template for reviewers.
        for rule in ("EcrPatterns-ScanOnPush", "EcrPatterns-Encryption"):
            suppress(plain, rule, "demonstrates the lifecycle helpers on a plain aws_ecr.Repository")

        for name, repo in {"Base": base, "Dev": dev, "Prod": prod, "Custom": custom, "Plain": plain}.items():
            CfnOutput(self, f"{name}Uri", value=repo.repository_uri)
        self.custom = custom
