"""A CDK app for the synth benchmark: ``python bench/synth_app.py {secure|plain} N``.

Both variants render the same settings: scan on push, immutable tags, KMS, and the same
two lifecycle rules. Run by bench_synth as a whole process, as the CDK CLI runs an app.
"""

from __future__ import annotations

import sys

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr


def main(kind: str, count: int) -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "Bench")
    if kind == "secure":
        from ecr_patterns import SecureRepository

        for i in range(count):
            SecureRepository(stack, f"Repo{i}")
    else:
        for i in range(count):
            ecr.Repository(
                stack,
                f"Repo{i}",
                image_scan_on_push=True,
                image_tag_mutability=ecr.TagMutability.IMMUTABLE,
                encryption=ecr.RepositoryEncryption.KMS,
                removal_policy=cdk.RemovalPolicy.RETAIN,
                lifecycle_rules=[
                    ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=cdk.Duration.days(14)),
                    ecr.LifecycleRule(tag_status=ecr.TagStatus.ANY, max_image_count=1000),
                ],
            )
    app.synth()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
