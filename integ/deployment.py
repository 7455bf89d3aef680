"""The integration apps of one suite run: synthesized once each, deployed and destroyed with the CLI.

Synthesis happens in the test process (one jsii runtime for every app) into a cloud assembly
directory that the CLI then deploys as ``--app DIR``: the deployed template is exactly the
synthesized one the tests read their expectations from.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import aws_cdk as cdk

from integ.apps import common
from integ.cdk_cli import CdkCli
from integ.target import EMULATOR, Target

APPS = ("plain", "secure_defaults", "presets", "grants", "lifecycle", "encryption", "catalog", "verdicts")
"""Module names under ``integ.apps`` with repositories, in deploy order."""
TOOLKIT_STACK = "CDKToolkit"
REGISTRY_APP = "registry"
"""The registry-level app, deployed last when the target allows it (see ``Target.registry_settings``)."""


@dataclass(frozen=True)
class Assembly:
    """A synthesized cloud assembly directory."""

    path: Path

    @cached_property
    def _templates(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        # Read once: every check of the run reads its expectations from here.
        manifest = json.loads((self.path / "manifest.json").read_text())
        found = []
        for artifact_id, artifact in manifest["artifacts"].items():
            if artifact["type"] != "aws:cloudformation:stack":
                continue
            properties = artifact.get("properties", {})
            template = json.loads((self.path / properties["templateFile"]).read_text())
            found.append((properties.get("stackName", artifact_id), template))
        return tuple(found)

    def templates(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(stack name, template)`` for every stack of the assembly."""
        return iter(self._templates)

    def stack_names(self) -> list[str]:
        return [name for name, _ in self.templates()]

    def repositories(self) -> dict[str, dict[str, Any]]:
        """The properties of every ``AWS::ECR::Repository``, by its ``RepositoryName``."""
        found = {}
        for _, template in self.templates():
            for resource in template.get("Resources", {}).values():
                if resource["Type"] == "AWS::ECR::Repository":
                    properties = resource.get("Properties", {})
                    found[properties["RepositoryName"]] = {
                        **properties,
                        "DeletionPolicy": resource.get("DeletionPolicy"),
                    }
        return found

    def repository(self, name: str) -> dict[str, Any]:
        repositories = self.repositories()
        if name not in repositories:
            raise KeyError(f"no AWS::ECR::Repository named {name!r} in {self.path} (found {sorted(repositories)})")
        return repositories[name]


class Deployment:
    """Synthesizes, deploys and destroys the apps for one target, under ``workdir``."""

    def __init__(self, target: Target, cli: CdkCli, workdir: Path) -> None:
        self.target = target
        self.cli = cli
        self.workdir = workdir
        self.deployed: dict[str, Assembly] = {}
        self.synthesized: list[Assembly] = []

    @property
    def apps(self) -> tuple[str, ...]:
        """The apps this run deploys, in order."""
        return APPS + ((REGISTRY_APP,) if self.target.registry_settings else ())

    def repository_name(self, base: str) -> str:
        return common.repository_name(base, self.target.suffix)

    def bootstrap(self) -> None:
        """``cdk bootstrap`` the target, except a sandbox account that is bootstrapped already:
        re-running it there could change a toolkit stack its owner customised."""
        if self.target.mode != EMULATOR:
            cloudformation = self.target.client("cloudformation")
            try:
                cloudformation.describe_stacks(StackName=TOOLKIT_STACK)
                return
            except cloudformation.exceptions.ClientError as error:
                if "does not exist" not in str(error):
                    raise
        self.cli.bootstrap()

    def synthesize(self, app: str, stage: str = common.INITIAL, context: dict[str, str] | None = None) -> Assembly:
        """:param context: more context values; default ``None``."""
        outdir = self.workdir / f"{app}.{stage}.{len(self.synthesized)}.out"
        cdk_app = cdk.App(
            outdir=str(outdir),
            context={
                common.SUFFIX: self.target.suffix,
                common.STAGE: stage,
                common.ACCOUNT: self.target.account,
                **({common.PULLER_ACCOUNT: self.target.puller_account} if self.target.puller_account else {}),
                **(context or {}),
            },
        )
        importlib.import_module(f"integ.apps.{app}").build(cdk_app)
        cdk_app.synth()
        assembly = Assembly(outdir)
        self.synthesized.append(assembly)
        return assembly

    def deploy(self, app: str, stage: str = common.INITIAL, context: dict[str, str] | None = None) -> Assembly:
        """:param context: more context values; default ``None``."""
        assembly = self.synthesize(app, stage, context)
        # Recorded first: a deploy that fails halfway still has a stack to destroy.
        self.deployed[app] = assembly
        self.cli.deploy(assembly.path)
        return assembly

    def import_resources(self, app: str, mapping: Path, context: dict[str, str] | None = None) -> Assembly:
        """``cdk import`` of the app's new resources, identified by a ``--resource-mapping`` file.

        :param context: more context values; default ``None``."""
        assembly = self.synthesize(app, common.INITIAL, context)
        self.deployed[app] = assembly
        self.cli.run(
            ["import", "--app", str(assembly.path), "--resource-mapping", str(mapping)], timeout=self.cli.timeout
        )
        return assembly

    def assembly(self, app: str) -> Assembly:
        """The assembly last deployed for ``app``."""
        return self.deployed[app]

    def destroy(self, app: str) -> None:
        assembly = self.deployed.pop(app, None)
        if assembly is not None:
            self.cli.destroy(assembly.path)

    def destroy_all(self) -> list[Exception]:
        """Destroy every stack still deployed (each attempted even if another fails)."""
        errors: list[Exception] = []
        for app in list(reversed(self.deployed)):
            try:
                self.destroy(app)
            except Exception as error:
                errors.append(error)
        return errors

    def delete_leftover_repositories(self) -> list[str]:
        """Delete (with their images) the repositories of this run that survived their stacks by
        design (RETAIN). Only names from this run's templates are touched."""
        ecr = self.target.client("ecr")
        names = sorted({name for assembly in self.synthesized for name in assembly.repositories()})
        deleted = []
        for name in names:
            try:
                ecr.delete_repository(repositoryName=name, force=True)
                deleted.append(name)
            except ecr.exceptions.RepositoryNotFoundException:
                pass
        return deleted
