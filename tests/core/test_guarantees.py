"""What a pattern promises is judged on the final template: every route that sets a value is caught at synth."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import IConstruct

from ecr_patterns import DevRepository, ProdRepository, SecureRepository
from ecr_patterns.constructs._app_state import app_state
from ecr_patterns.core.errors import Code
from ecr_patterns.core.guarantees import FATAL, WARNING, GuaranteeFinding
from ecr_patterns.registry import RegistryKey


@jsii.implements(cdk.IAspect)
class _Destroy:
    def visit(self, node: IConstruct) -> None:
        if isinstance(node, ecr.CfnRepository):
            node.apply_removal_policy(cdk.RemovalPolicy.DESTROY)


ROUTES: dict[str, Callable[[cdk.Stack, ProdRepository], None]] = {
    "RemovalPolicies.of(scope).destroy()": lambda s, r: cdk.RemovalPolicies.of(s).destroy(),
    "apply_removal_policy on the L2": lambda s, r: r.apply_removal_policy(cdk.RemovalPolicy.DESTROY),
    "apply_removal_policy on the L1": lambda s, r: r.node.default_child.apply_removal_policy(  # type: ignore[union-attr]
        cdk.RemovalPolicy.DESTROY
    ),
    "cfn_options": lambda s, r: setattr(
        r.node.default_child.cfn_options,  # type: ignore[union-attr]
        "deletion_policy",
        cdk.CfnDeletionPolicy.DELETE,
    ),
    "add_property_override": lambda s, r: r.node.default_child.add_property_override(  # type: ignore[union-attr]
        "EmptyOnDelete", True
    ),
    "add_override": lambda s, r: r.node.default_child.add_override("UpdateReplacePolicy", "Delete"),  # type: ignore[union-attr]
    "an Aspect": lambda s, r: cdk.Aspects.of(s).add(_Destroy()),
}


def _synth(app: cdk.App) -> tuple[list[GuaranteeFinding], Exception | None]:
    stack = next(c for c in app.node.children if isinstance(c, cdk.Stack))
    try:
        app.synth()
    except Exception as err:  # CDK raises ValidationFailed through jsii
        return app_state(stack).guarantees().last_findings, err
    return app_state(stack).guarantees().last_findings, None


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_route_that_destroys_a_prod_repository_fails_synth_naming_the_construct_path(route: str) -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    repo = ProdRepository(stack, "Prod")
    ROUTES[route](stack, repo)
    findings, error = _synth(app)
    assert error is not None
    assert "ValidationFailed" in str(error)
    fatal = [f for f in findings if f.severity == FATAL]
    assert fatal, findings
    assert {f.rule_id for f in fatal} == {"EcrPatterns-ProductionRetention"}
    assert all(f.code is Code.REPOSITORY_PRODUCTION_DESTROY for f in fatal)
    report = json.loads(Path(app.outdir, "validation-report.json").read_text())
    assert "S/Prod/Resource" in json.dumps(report)


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_allow_destroy_lets_every_route_through_with_a_warning(route: str) -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    ROUTES[route](stack, ProdRepository(stack, "Prod", allow_destroy=True))
    findings, error = _synth(app)
    assert error is None
    assert findings
    assert {f.severity for f in findings} == {WARNING}


def test_a_prod_repository_left_alone_synthesizes_with_no_finding() -> None:
    app = cdk.App()
    ProdRepository(cdk.Stack(app, "S"), "Prod")
    findings, error = _synth(app)
    assert (findings, error) == ([], None)


def test_a_secure_repository_destroyed_later_is_warned_not_refused() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    SecureRepository(stack, "Repo").apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    findings, error = _synth(app)
    assert error is None
    assert {(f.rule_id, f.severity, f.location) for f in findings} == {
        ("EcrPatterns-ProductionRetention", WARNING, "DeletionPolicy"),
    }


def test_a_dev_repository_is_not_warned_for_its_own_documented_defaults() -> None:
    app = cdk.App()
    DevRepository(cdk.Stack(app, "S"), "Dev")
    assert _synth(app) == ([], None)


def test_no_stale_warning_after_a_later_call_adds_the_lifecycle_rules() -> None:
    from ecr_patterns.lifecycle import default_policy_rules

    app = cdk.App()
    repo = SecureRepository(cdk.Stack(app, "S"), "Repo", lifecycle_rules=[])
    repo.add_lifecycle_policy_rule(*default_policy_rules())
    assert _synth(app) == ([], None)


def test_no_lifecycle_policy_is_warned_on_the_final_template() -> None:
    app = cdk.App()
    SecureRepository(cdk.Stack(app, "S"), "Repo", lifecycle_rules=[])
    findings, error = _synth(app)
    assert error is None
    assert [(f.rule_id, f.severity) for f in findings] == [("EcrPatterns-LifecyclePolicy", WARNING)]


def test_a_property_override_that_weakens_scanning_is_warned() -> None:
    app = cdk.App()
    repo = SecureRepository(cdk.Stack(app, "S"), "Repo")
    repo.node.default_child.add_property_override("ImageScanningConfiguration.ScanOnPush", False)  # type: ignore[union-attr]
    findings, _ = _synth(app)
    assert [f.rule_id for f in findings] == ["EcrPatterns-ScanOnPush"]


def test_a_required_customer_managed_key_overridden_to_aes256_fails_synth() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    repo = SecureRepository(stack, "Repo", require_customer_managed_key=True, encryption_key=RegistryKey(stack, "Key"))
    repo.node.default_child.add_property_override("EncryptionConfiguration", {"EncryptionType": "AES256"})  # type: ignore[union-attr]
    findings, error = _synth(app)
    assert error is not None
    (fatal,) = [f for f in findings if f.severity == FATAL]
    assert (fatal.rule_id, fatal.code) == ("EcrPatterns-Encryption", Code.REPOSITORY_ENCRYPTION)


def test_the_template_is_byte_identical_with_and_without_skip_validation() -> None:
    def build() -> cdk.App:
        app = cdk.App()
        stack = cdk.Stack(app, "S", env=cdk.Environment(account="111111111111", region="eu-west-1"))
        key = RegistryKey(stack, "Key")
        repo = ProdRepository(stack, "Prod", encryption_key=key)
        repo.grant_pull_to_organization("o-a1b2c3d4e5")
        repo.grant_pull_to_accounts("222222222222")
        repo.grant_pull(iam.AccountRootPrincipal())
        return app

    checked, skipped = build(), build()
    checked.synth()
    skipped.synth(skip_validation=True)
    assert Path(checked.outdir, "S.template.json").read_bytes() == Path(skipped.outdir, "S.template.json").read_bytes()


def test_the_grant_shortcuts_add_no_key_policy_statement_and_no_scanner_suppression() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    key = RegistryKey(stack, "Key")
    repo = SecureRepository(stack, "Repo", encryption_key=key)
    repo.grant_pull_to_organization("o-a1b2c3d4e5")
    repo.grant_pull_to_accounts("222222222222")
    template = cdk.assertions.Template.from_stack(stack).to_json()
    key_policy = next(r for r in template["Resources"].values() if r["Type"] == "AWS::KMS::Key")["Properties"][
        "KeyPolicy"
    ]
    assert len(key_policy["Statement"]) == 1  # aws-cdk's default statement only
    assert "checkov" not in json.dumps(template)
    assert "AwsSolutions" not in json.dumps(template)


def test_a_prod_repository_whose_rules_expire_tagged_images_is_warned_naming_each_rule() -> None:
    from ecr_patterns.lifecycle import standard_prod_lifecycle_rules

    app = cdk.App()
    ProdRepository(cdk.Stack(app, "S"), "Prod", lifecycle_rules=standard_prod_lifecycle_rules())
    findings, error = _synth(app)
    assert error is None
    (finding,) = findings
    assert (finding.rule_id, finding.severity) == ("EcrPatterns-ProductionLifecycle", WARNING)
    # Rule 1 expires untagged images only; rule 2 keeps the last 30 of any images and expires the rest.
    assert "rule 2 (any, imageCountMoreThan 30)" in finding.message
    assert "rule 1" not in finding.message


def test_the_prod_default_policy_archives_and_expires_no_tagged_image() -> None:
    app = cdk.App()
    ProdRepository(cdk.Stack(app, "S"), "Prod")
    assert _synth(app) == ([], None)


@pytest.mark.parametrize(
    ("override", "value"),
    [
        ("EmptyOnDelete", "true"),  # CloudFormation accepts a Boolean as a string
        ("EmptyOnDelete", {"Ref": "Emptied"}),  # known only at deploy: judged as if it empties
    ],
)
def test_empty_on_delete_as_a_string_or_a_deploy_time_value_still_fails_a_prod_repository(
    override: str, value: object
) -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    cdk.CfnParameter(stack, "Emptied", type="String", default="false")
    ProdRepository(stack, "Prod").node.default_child.add_property_override(override, value)  # type: ignore[union-attr]
    findings, error = _synth(app)
    assert error is not None
    assert [f.location for f in findings if f.severity == FATAL] == ["Properties.EmptyOnDelete"]


def test_update_replace_policy_retain_except_on_create_is_no_retention() -> None:
    # CloudFormation's UpdateReplacePolicy takes Delete, Retain or Snapshot; RetainExceptOnCreate is a
    # DeletionPolicy value only ("UpdateReplacePolicy attribute").
    app = cdk.App()
    prod = ProdRepository(cdk.Stack(app, "S"), "Prod")
    prod.node.default_child.add_override("UpdateReplacePolicy", "RetainExceptOnCreate")  # type: ignore[union-attr]
    findings, error = _synth(app)
    assert error is not None
    assert [f.location for f in findings if f.severity == FATAL] == ["UpdateReplacePolicy"]


def test_retain_on_update_or_delete_keeps_a_prod_repository() -> None:
    app = cdk.App()
    ProdRepository(cdk.Stack(app, "S"), "Prod").apply_removal_policy(cdk.RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE)
    assert _synth(app) == ([], None)


KEY_ROUTES: dict[str, Callable[[cdk.Stack, RegistryKey], None]] = {
    "apply_removal_policy on the key": lambda s, k: k.apply_removal_policy(cdk.RemovalPolicy.DESTROY),
    "RemovalPolicies.of(scope) on the key's scope": lambda s, k: cdk.RemovalPolicies.of(k).destroy(),
    "cfn_options on the key's L1": lambda s, k: setattr(
        k.node.default_child.cfn_options,  # type: ignore[union-attr]
        "update_replace_policy",
        cdk.CfnDeletionPolicy.DELETE,
    ),
    "add_override on the key's L1": lambda s, k: k.node.default_child.add_override("DeletionPolicy", "Delete"),  # type: ignore[union-attr]
}


@pytest.mark.parametrize("route", sorted(KEY_ROUTES))
def test_every_route_that_deletes_a_prod_repositorys_key_fails_synth_even_with_skip_validation(route: str) -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    key = RegistryKey(stack, "Key")
    ProdRepository(stack, "Prod", encryption_key=key)
    KEY_ROUTES[route](stack, key)
    findings, error = _synth(app)
    assert error is not None
    (fatal,) = [f for f in findings if f.severity == FATAL]
    assert (fatal.rule_id, fatal.code, fatal.location) == (
        "EcrPatterns-ProductionRetention",
        Code.REPOSITORY_PRODUCTION_DESTROY,
        "Properties.EncryptionConfiguration.KmsKey",
    )
    assert "unreadable" in fatal.message
    assert "removal_policy=RETAIN" in fatal.fix
    # Plugins run even when the app skips node validations: the key is judged on its final template.
    again = cdk.App()
    stack = cdk.Stack(again, "S", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    key = RegistryKey(stack, "Key")
    ProdRepository(stack, "Prod", encryption_key=key)
    KEY_ROUTES[route](stack, key)
    with pytest.raises(Exception, match="production-destroy"):
        again.synth(skip_validation=True)


def test_a_key_in_another_stack_is_followed_through_its_export() -> None:
    app = cdk.App()
    env = cdk.Environment(account="111111111111", region="eu-west-1")
    key = RegistryKey(cdk.Stack(app, "Keys", env=env), "Key")
    ProdRepository(cdk.Stack(app, "Images", env=env), "Prod", encryption_key=key)
    key.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    findings, error = _synth(app)
    assert error is not None
    (fatal,) = [f for f in findings if f.severity == FATAL]
    assert fatal.template_path.endswith("Images.template.json")
    assert "Keys.template.json" in fatal.message


def test_a_retained_key_an_imported_key_and_allow_destroy_pass() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    ProdRepository(stack, "Kept", encryption_key=RegistryKey(stack, "Key"))
    arn = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    ProdRepository(stack, "Imported", encryption_key=kms.Key.from_key_arn(stack, "ImportedKey", arn))
    deleted = kms.Key(stack, "Deleted", removal_policy=cdk.RemovalPolicy.RETAIN)  # one RegistryKey per registry
    ProdRepository(stack, "OptedIn", encryption_key=deleted, allow_destroy=True)
    deleted.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    findings, error = _synth(app)
    assert error is None
    assert [f for f in findings if f.severity == FATAL] == []


@pytest.mark.parametrize("where", ["repository in a nested stack", "key in a nested stack"])
def test_a_key_across_a_nested_stack_boundary_is_judged_on_its_own_template(where: str) -> None:
    app = cdk.App()
    parent = cdk.Stack(app, "S", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    nested = cdk.NestedStack(parent, "Nested")
    key_stack, repository_stack = (parent, nested) if where.startswith("repository") else (nested, parent)
    key = kms.Key(key_stack, "Key", removal_policy=cdk.RemovalPolicy.RETAIN)
    ProdRepository(repository_stack, "Prod", encryption_key=key)
    key.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    findings, error = _synth(app)
    assert error is not None
    (fatal,) = [f for f in findings if f.severity == FATAL]
    assert fatal.location == "Properties.EncryptionConfiguration.KmsKey"


def test_a_key_in_another_region_is_judged_on_its_own_template() -> None:
    app = cdk.App()
    keys = cdk.Stack(
        app, "Keys", env=cdk.Environment(account="111111111111", region="us-east-1"), cross_region_references=True
    )
    key = kms.Key(keys, "Key", removal_policy=cdk.RemovalPolicy.RETAIN)
    images = cdk.Stack(
        app, "Images", env=cdk.Environment(account="111111111111", region="eu-west-1"), cross_region_references=True
    )
    ProdRepository(images, "Prod", encryption_key=key)
    key.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    findings, error = _synth(app)
    assert error is not None
    (fatal,) = [f for f in findings if f.severity == FATAL]
    assert "Keys.template.json" in fatal.message


METADATA_ROUTES: dict[str, Callable[[ecr.CfnRepository], None]] = {
    "cfn_options.metadata = {...}": lambda l1: setattr(l1.cfn_options, "metadata", {"team": "images"}),
    'add_deletion_override("Metadata")': lambda l1: l1.add_deletion_override("Metadata"),
}


@pytest.mark.parametrize("route", sorted(METADATA_ROUTES))
def test_replacing_a_prod_repositorys_whole_metadata_does_not_hide_it_from_the_guarantees(route: str) -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    prod = ProdRepository(stack, "Prod")
    l1 = prod.node.default_child
    assert isinstance(l1, ecr.CfnRepository)
    METADATA_ROUTES[route](l1)
    l1.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    findings, error = _synth(app)
    assert error is not None
    assert {(f.rule_id, f.severity) for f in findings} >= {
        ("EcrPatterns-ProductionRetention", FATAL),
        ("EcrPatterns-PatternMetadata", WARNING),
    }
    (replaced,) = [f for f in findings if f.rule_id == "EcrPatterns-PatternMetadata"]
    assert replaced.construct_path == "S/Prod"
    assert "add_metadata" in replaced.fix


def test_a_pattern_with_an_overridden_logical_id_in_a_stage_is_found_by_its_final_id() -> None:
    app = cdk.App()
    stack = cdk.Stack(cdk.Stage(app, "Prod"), "Images")
    prod = ProdRepository(stack, "Prod")
    l1 = prod.node.default_child
    assert isinstance(l1, ecr.CfnRepository)
    l1.override_logical_id("Images")
    l1.cfn_options.metadata = {}
    l1.cfn_options.deletion_policy = cdk.CfnDeletionPolicy.DELETE
    with pytest.raises(Exception, match="production-destroy"):
        app.synth()
    fatal = [f for f in app_state(stack).guarantees().last_findings if f.severity == FATAL]
    assert fatal
    assert {f.logical_id for f in fatal} == {"Images"}


def test_metadata_added_beside_the_patterns_own_entries_needs_no_restoring() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    prod = ProdRepository(stack, "Prod")
    prod.node.default_child.add_metadata("team", "images")  # type: ignore[union-attr]
    # An override deep-merges into the rendered Metadata (CfnResource.addOverride): the entries stay.
    prod.node.default_child.add_override("Metadata", {"owner": "platform"})  # type: ignore[union-attr]
    findings, error = _synth(app)
    assert error is None
    assert findings == []


def test_an_unregistered_resource_carrying_pattern_metadata_does_not_hide_a_stripped_pattern() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    prod = ProdRepository(stack, "Prod")
    l1 = prod.node.default_child
    assert isinstance(l1, ecr.CfnRepository)
    l1.cfn_options.metadata = {"team": "images"}
    l1.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    raw = ecr.CfnRepository(stack, "Raw")
    raw.add_metadata("ecr-patterns:pattern", {"preset": "SecureRepository", "path": "S/Raw"})
    findings, error = _synth(app)
    assert error is not None
    assert any(f.severity == FATAL and f.construct_path == "S/Prod" for f in findings)


def test_a_pattern_removed_from_the_tree_is_not_restored_onto_whatever_takes_its_logical_id() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    ProdRepository(stack, "Prod")
    assert stack.node.try_remove_child("Prod")
    ecr.Repository(stack, "Prod", removal_policy=cdk.RemovalPolicy.DESTROY)  # a plain repository, same logical id
    findings, error = _synth(app)
    assert error is None
    assert findings == []
