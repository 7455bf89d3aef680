"""README's table of what Security Hub ECR.1-ECR.5 decide about each pattern, computed from the templates."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk.assertions import Template

from ecr_patterns import DevRepository, ProdRepository, SecurePublicRepository, SecureRepository
from ecr_patterns.core.settings import RepositorySettings
from ecr_patterns.registry import RegistryKey
from ecr_patterns.tools.audit.standards import verdicts

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
CONTROLS = {
    "ECR.1": "EcrPatterns-ScanOnPush",
    "ECR.2": "EcrPatterns-TagImmutability",
    "ECR.3": "EcrPatterns-LifecyclePolicy",
    "ECR.5": "EcrPatterns-Encryption",
}
PATTERNS: dict[str, Callable[[cdk.Stack], Any]] = {
    "plain `aws_ecr.Repository()`": lambda s: ecr.Repository(s, "R"),
    "`SecureRepository()`": lambda s: SecureRepository(s, "R"),
    "`SecureRepository(encryption_key=key)`": lambda s: SecureRepository(s, "R", encryption_key=RegistryKey(s, "K")),
    "`DevRepository()`": lambda s: DevRepository(s, "R"),
    "`DevRepository(encryption_key=key)`": lambda s: DevRepository(s, "R", encryption_key=RegistryKey(s, "K")),
    "`ProdRepository()`": lambda s: ProdRepository(s, "R"),
    "`ProdRepository(encryption_key=key)`": lambda s: ProdRepository(s, "R", encryption_key=RegistryKey(s, "K")),
    "plain `aws_ecr.CfnPublicRepository()`": lambda s: ecr.CfnPublicRepository(s, "R"),
    "`SecurePublicRepository(tags=...)`": lambda s: SecurePublicRepository(
        s, "R", repository_name="tools/cli", description="CLI", tags={"team": "platform"}
    ),
}


def _verdicts(build: Callable[[cdk.Stack], Any]) -> list[str]:
    stack = cdk.Stack(cdk.App(), "S")
    build(stack)
    template = Template.from_stack(stack)
    if template.find_resources("AWS::ECR::PublicRepository"):
        (public,) = template.find_resources("AWS::ECR::PublicRepository").values()
        # ECR.4: a public repository has tags; the other controls are about private repositories.
        return ["n/a"] * 3 + ["pass" if (public.get("Properties") or {}).get("Tags") else "fail", "n/a"]
    (resource,) = template.find_resources("AWS::ECR::Repository").values()
    key = ((resource.get("Properties") or {}).get("EncryptionConfiguration") or {}).get("KmsKey")
    # A key the template creates or names (not alias/aws/ecr) is customer managed; none means aws/ecr.
    manager = "CUSTOMER" if key and key != "alias/aws/ecr" else "AWS"
    found = verdicts(replace(RepositorySettings.from_template(resource), kms_key_manager=manager), registry_scans=False)
    cells = ["pass" if found[rule]["securityHub"] else "fail" for rule in CONTROLS.values()]
    # ECR.4 is about public repositories only.
    return [*cells[:3], "n/a", cells[3]]


def test_the_readme_security_hub_table_is_what_the_templates_give() -> None:
    block = README.split("<!-- security-hub-table -->\n", 1)[1].split("\n\n", 1)[0]
    rows = {}
    for line in block.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    assert list(rows) == list(PATTERNS)
    for name, build in PATTERNS.items():
        assert rows[name] == _verdicts(build), name
    assert re.search(r"\| pattern \| ECR\.1 .*\| ECR\.2 .*\| ECR\.3 .*\| ECR\.4 .*\| ECR\.5 ", block)
