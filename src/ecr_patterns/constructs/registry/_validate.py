"""Small argument checks shared by the registry constructs (plain Python): each adds to ``problems``,
so a construct reports every problem in one ``ValidationError``."""

from __future__ import annotations

from aws_cdk import Token

from ecr_patterns.core.errors import Code, Problems
from ecr_patterns.core.identifiers import ACCOUNT_ID as ACCOUNT
from ecr_patterns.core.identifiers import REGION


def _token(value: object) -> bool:
    return isinstance(value, str) and Token.is_unresolved(value)


def account(problems: Problems, field: str, value: str) -> str:
    if not _token(value) and not (isinstance(value, str) and ACCOUNT.match(value)):
        problems.add(field, value, "an AWS account id is exactly 12 digits, as a string", code=Code.REGISTRY_ACCOUNT)
    return value


def region(problems: Problems, field: str, value: str) -> str:
    if not _token(value) and not (isinstance(value, str) and REGION.match(value)):
        problems.add(field, value, "use a region name such as 'eu-west-1'", code=Code.REGISTRY_REGION)
    return value


def at_most(problems: Problems, field: str, count: int, limit: int, what: str) -> None:
    if count > limit:
        problems.add(field, count, f"ECR allows at most {limit} {what}", code=Code.REGISTRY_QUOTA)
