"""Names and context shared by the integration apps and the tests that check them.

Context keys (``cdk deploy -c key=value``, or ``App(context=...)``):

- ``integ:suffix``: appended to every stack and repository name. Default ``""``; the sandbox
  mode sets a random one so runs never collide with each other or with real resources.
- ``integ:stage``: ``initial``, ``updated`` (the update step of the cycle), or one of the encryption app's
  ``encryption-changed`` / ``encryption-changed-renamed``. Default ``initial``.
- ``integ:account``: the account the grant app grants pull to. Default ``123456789012`` (the
  emulator's account); the suite passes the target's own account, which exists in every mode.
"""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk

SUFFIX = "integ:suffix"
PULLER_ACCOUNT = "integ:puller-account"
"""Another account the registry app's keyed repository grants pull to (sandbox mode, from
``ECR_PATTERNS_INTEG_PULLER_ROLE_ARN``). Default: none."""
STAGE = "integ:stage"
ACCOUNT = "integ:account"

INITIAL = "initial"
UPDATED = "updated"
ENCRYPTION_CHANGED = "encryption-changed"
"""The encryption app: encryption changed, name kept (CloudFormation must refuse the replacement)."""
RENAMED = "encryption-changed-renamed"
"""The encryption app: encryption changed and a new name (a replacement; RETAIN keeps the old repository)."""
STAGES = (INITIAL, UPDATED, ENCRYPTION_CHANGED, RENAMED)

REPOSITORY_PREFIX = "ecr-patterns-integ"
STACK_PREFIX = "EcrPatternsInteg"
TAG_KEY = "ecr-patterns:integ"
"""Every resource of every app carries this tag (value: the app's name), so leftovers are easy to find."""


def repository_name(base: str, suffix: str = "") -> str:
    """Explicit lowercase names: moto's CloudFormation cannot generate ECR repository names."""
    return f"{REPOSITORY_PREFIX}/{base}{suffix}"


def stack_name(base: str, suffix: str = "") -> str:
    return f"{STACK_PREFIX}-{base}{suffix}"


def suffix(app: cdk.App) -> str:
    return str(app.node.try_get_context(SUFFIX) or "")


def stage(app: cdk.App) -> str:
    value = str(app.node.try_get_context(STAGE) or INITIAL)
    if value not in STAGES:
        raise ValueError(f"context {STAGE}={value!r}: use one of {', '.join(STAGES)}")
    return value


def account(app: cdk.App) -> str:
    return str(app.node.try_get_context(ACCOUNT) or "123456789012")


def new_stack(app: cdk.App, base: str) -> cdk.Stack:
    """An environment-agnostic stack named after the app, tagged with :data:`TAG_KEY`."""
    stack = cdk.Stack(app, base, stack_name=stack_name(base, suffix(app)))
    cdk.Tags.of(stack).add(TAG_KEY, base)
    return stack


def name(app: cdk.App, base: str) -> str:
    return repository_name(base, suffix(app))


def main(build: Callable[[cdk.App], cdk.Stack]) -> None:
    """Synthesize one app on its own: ``cdk deploy --app "python -m integ.apps.NAME"`` from the repository root."""
    app = cdk.App()
    build(app)
    app.synth()
