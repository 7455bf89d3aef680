"""What the patterns' guarantees plugin says about a synthesized stack (the warnings a user sees at synth)."""

from __future__ import annotations

import re

import aws_cdk as cdk
from aws_cdk.assertions import Template

from ecr_patterns.constructs._app_state import app_state
from ecr_patterns.core.guarantees import GuaranteeFinding


def pattern_findings(stack: cdk.Stack) -> list[GuaranteeFinding]:
    """Synthesize ``stack``'s app (as ``Template.from_stack`` does) and return what the plugin found in it."""
    Template.from_stack(stack)
    return list(app_state(stack).guarantees().last_findings)


def warning_ids(stack: cdk.Stack) -> list[str]:
    """The weakened settings' warning ids (``ecr-patterns:<setting>``), in the order found."""
    return [f.setting for f in pattern_findings(stack) if f.setting]


def has_warning(stack: cdk.Stack, construct: str, pattern: str) -> bool:
    """Whether a warning on ``construct`` (its id in the stack) has a message matching the regex ``pattern``."""
    return any(
        f.construct_path is None or f"/{construct}/" in f"/{f.construct_path}/"
        for f in pattern_findings(stack)
        if re.search(pattern, f.message)
    )
