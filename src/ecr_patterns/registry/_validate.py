"""Small argument checks shared by the registry constructs (plain Python)."""

from __future__ import annotations

import re

from aws_cdk import Token

from ecr_patterns.errors import ValidationError

ACCOUNT = re.compile(r"^\d{12}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")


def account(field: str, value: str) -> str:
    if not Token.is_unresolved(value) and not (isinstance(value, str) and ACCOUNT.match(value)):
        raise ValidationError.single(field, value, "an AWS account id is exactly 12 digits, as a string")
    return value


def region(field: str, value: str) -> str:
    if not Token.is_unresolved(value) and not (isinstance(value, str) and REGION.match(value)):
        raise ValidationError.single(field, value, "use a region name such as 'eu-west-1'")
    return value


def at_most(field: str, count: int, limit: int, what: str) -> None:
    if count > limit:
        raise ValidationError.single(field, count, f"ECR allows at most {limit} {what}")
