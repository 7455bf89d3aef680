"""Where the suite deploys: the local emulator (default) or a sandbox AWS account.

``ECR_PATTERNS_INTEG=emulator`` (default) or ``aws``. Both modes run the same code: a
:class:`Target` gives the CDK CLI its environment and the tests their boto3 clients; only the
endpoint, the credentials and the name suffix differ.

- emulator: dummy credentials (``testing``), the emulator's endpoint (``AWS_ENDPOINT_URL``),
  ``us-east-1``, no user AWS configuration (profile, config and credentials files are hidden),
  and the EC2 metadata endpoint disabled: nothing can reach a real account or 169.254.169.254.
- aws: the caller's credentials (``AWS_PROFILE`` or the default chain) and region
  (``AWS_REGION``/``AWS_DEFAULT_REGION`` or the profile's), and a random name suffix. The
  registry-level app (account-wide replication, scanning and registry policy) is deployed there
  only with ``ECR_PATTERNS_INTEG_REGISTRY=1``; ``ECR_PATTERNS_INTEG_PULLER_ROLE_ARN`` (a role in another
  account) adds a cross-account pull through the RegistryKey.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
MODE_VARIABLE = "ECR_PATTERNS_INTEG"
EMULATOR = "emulator"
AWS = "aws"
EMULATOR_REGION = "us-east-1"
REGISTRY_VARIABLE = "ECR_PATTERNS_INTEG_REGISTRY"
PULLER_VARIABLE = "ECR_PATTERNS_INTEG_PULLER_ROLE_ARN"
"""Sandbox mode: a role in another account that may pull from the RegistryKey-encrypted repository (the one
thing only real AWS can prove: a cross-account pull through the customer managed key). Default: unset, skipped."""
"""``1`` lets the sandbox mode deploy the registry-level app, which replaces the account's settings."""
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

# Settings that must not leak from the user's shell into an emulator run.
_HIDDEN_IN_EMULATOR = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN")

_CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=60, retries={"mode": "standard", "max_attempts": 3})


class TargetError(RuntimeError):
    """The target is not configured well enough to deploy to."""


def mode() -> str:
    """The mode asked for in ``ECR_PATTERNS_INTEG`` (default ``emulator``)."""
    value = os.environ.get(MODE_VARIABLE, EMULATOR).strip().lower() or EMULATOR
    if value not in (EMULATOR, AWS):
        raise TargetError(f"{MODE_VARIABLE}={value!r}: use {EMULATOR!r} (default) or {AWS!r}")
    return value


def _base_environment(region: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("AWS_ENDPOINT_URL", None)
    path = os.pathsep.join([str(ROOT / ".venv" / "bin"), str(ROOT / "node_modules" / ".bin"), env.get("PATH", "")])
    env.update(
        PATH=path,
        AWS_REGION=region,
        AWS_DEFAULT_REGION=region,
        CDK_DISABLE_CLI_TELEMETRY="true",
        JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="1",
        NO_COLOR="1",
        FORCE_COLOR="0",
        CI="true",
    )
    return env


@dataclass(frozen=True)
class Target:
    """A deploy target: the CLI's environment and a boto3 session with the same settings."""

    mode: str
    region: str
    account: str
    suffix: str
    endpoint_url: str | None
    registry_settings: bool
    """Whether the registry-level app may be deployed (it replaces account-wide settings)."""
    cli_environment: Mapping[str, str] = field(repr=False)
    session: boto3.Session = field(repr=False)
    puller_role_arn: str | None = None
    """From :data:`PULLER_VARIABLE`, sandbox mode only."""

    @property
    def puller_account(self) -> str | None:
        return self.puller_role_arn.split(":")[4] if self.puller_role_arn else None

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` (bounded timeouts and retries)."""
        return self.session.client(service, endpoint_url=self.endpoint_url, config=_CLIENT_CONFIG)

    @property
    def partition(self) -> str:
        return str(self.session.get_partition_for_region(self.region))

    @classmethod
    def for_emulator(cls, endpoint_url: str) -> Target:
        env = _base_environment(EMULATOR_REGION)
        for key in _HIDDEN_IN_EMULATOR:
            env.pop(key, None)
        env.update(
            DUMMY_CREDENTIALS,
            AWS_ENDPOINT_URL=endpoint_url,
            AWS_EC2_METADATA_DISABLED="true",
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        )
        session = boto3.Session(
            aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=EMULATOR_REGION,
        )
        return cls._with_account(EMULATOR, EMULATOR_REGION, "", endpoint_url, env, session)

    @classmethod
    def for_aws(cls) -> Target:
        session = boto3.Session(profile_name=os.environ.get("AWS_PROFILE") or None)
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or session.region_name
        if not region:
            raise TargetError(f"{MODE_VARIABLE}={AWS} needs a region: set AWS_REGION (and AWS_PROFILE if not default)")
        if session.get_credentials() is None:
            raise TargetError(f"{MODE_VARIABLE}={AWS} found no AWS credentials: set AWS_PROFILE or log in first")
        session = boto3.Session(profile_name=os.environ.get("AWS_PROFILE") or None, region_name=region)
        suffix = f"-{secrets.token_hex(3)}"
        return cls._with_account(AWS, region, suffix, None, _base_environment(region), session)

    @classmethod
    def _with_account(
        cls,
        mode: str,
        region: str,
        suffix: str,
        endpoint_url: str | None,
        env: dict[str, str],
        session: boto3.Session,
    ) -> Target:
        sts = session.client("sts", endpoint_url=endpoint_url, config=_CLIENT_CONFIG)
        account = str(sts.get_caller_identity()["Account"])
        registry = mode == EMULATOR or os.environ.get(REGISTRY_VARIABLE) == "1"
        puller = os.environ.get(PULLER_VARIABLE) or None if mode == AWS else None
        return cls(mode, region, account, suffix, endpoint_url, registry, env, session, puller)
