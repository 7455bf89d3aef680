"""A CDK app for the compliance benchmark:
``python bench/compliance_app.py {none|plugin|aspect|aspect-everywhere|noop-aspect}``.

400 repositories (half SecureRepository, half plain L2 with the same settings) and 400
unrelated SNS topics, over two stacks, as issue 4 specifies.
"""

from __future__ import annotations

import sys

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_sns as sns

from ecr_patterns import SecureRepository
from ecr_patterns import lifecycle as lc


@jsii.implements(cdk.IAspect)
class _NoopAspect:
    def visit(self, node: object) -> None:
        return None


def main(mode: str) -> None:
    app = cdk.App()
    if mode == "plugin":
        from ecr_patterns.compliance import EcrCompliancePlugin

        cdk.Validations.of(app).add_plugins(EcrCompliancePlugin())
    for s in range(2):
        stack = cdk.Stack(app, f"Bench{s}")
        for i in range(200):
            if i % 2:
                SecureRepository(stack, f"Repo{i}")
            else:
                ecr.Repository(
                    stack,
                    f"Repo{i}",
                    image_scan_on_push=True,
                    image_tag_mutability=ecr.TagMutability.IMMUTABLE,
                    encryption=ecr.RepositoryEncryption.KMS,
                    lifecycle_rules=lc.standard_prod_lifecycle_rules(),
                )
            sns.Topic(stack, f"Topic{i}")
    if mode == "aspect":  # the recommended way: repositories found in Node, one call per Stage
        from ecr_patterns.compliance import add_compliance_everywhere

        add_compliance_everywhere(app)
    if mode == "aspect-everywhere":  # as a plain Aspect: CDK calls visit for every construct
        from ecr_patterns.compliance import EcrCompliance

        cdk.Aspects.of(app).add(EcrCompliance(), priority=cdk.AspectPriority.READONLY)
    if mode == "noop-aspect":  # the floor: an Aspect whose visit merely returns
        cdk.Aspects.of(app).add(_NoopAspect(), priority=cdk.AspectPriority.READONLY)
    app.synth()


if __name__ == "__main__":
    main(sys.argv[1])
