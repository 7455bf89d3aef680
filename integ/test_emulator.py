"""The emulator's own tests: each gap that :mod:`integ.emulator.patches` completes is real in the
pinned moto (shown in-process, unpatched) and completed in the running emulator (shown over
HTTP), with a hand-written template, so that a deploy test failing later means our construct is
wrong, not the emulator. Emulator mode only; the sandbox mode skips them."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import moto
import pytest
from botocore.exceptions import ClientError

from integ.emulator import Emulator, EmulatorError, patches
from integ.images import Image, push_image
from integ.state import repository_exists
from integ.target import EMULATOR, EMULATOR_REGION, mode

pytestmark = pytest.mark.skipif(mode() != EMULATOR, reason="tests of the local emulator")

LIFECYCLE = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "untagged",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 3,
            },
            "action": {"type": "expire"},
        }
    ]
}
ARCHIVE_LIFECYCLE = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {
                "tagStatus": "any",
                "storageClass": "standard",
                "countType": "sinceImagePulled",
                "countUnit": "days",
                "countNumber": 90,
            },
            "action": {"type": "transition", "targetStorageClass": "archive"},
        },
        {
            "rulePriority": 2,
            "selection": {
                "tagStatus": "any",
                "storageClass": "archive",
                "countType": "sinceImageTransitioned",
                "countUnit": "days",
                "countNumber": 365,
            },
            "action": {"type": "expire"},
        },
    ]
}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "pull",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        }
    ],
}


def _template(
    name: str,
    *,
    scan: bool = True,
    extra: dict[str, Any] | None = None,
    encryption: dict[str, str] | None = None,
    replace_policy: str | None = None,
) -> str:
    properties: dict[str, Any] = {
        "RepositoryName": name,
        "ImageTagMutability": "IMMUTABLE",
        "ImageScanningConfiguration": {"ScanOnPush": scan},
        "EncryptionConfiguration": encryption if encryption is not None else {"EncryptionType": "KMS"},
        "LifecyclePolicy": {"LifecyclePolicyText": json.dumps(LIFECYCLE)},
        "RepositoryPolicyText": POLICY,
        **(extra or {}),
    }
    resource: dict[str, Any] = {"Type": "AWS::ECR::Repository", "Properties": properties}
    if replace_policy is not None:
        resource["UpdateReplacePolicy"] = replace_policy
    return json.dumps({"Parameters": {"Version": {"Type": "String", "Default": "1"}}, "Resources": {"Repo": resource}})


Clients = tuple[Any, Any]  # (cloudformation, ecr)


def _cleanup(cloudformation: Any, ecr: Any, stack: str, name: str) -> None:
    with contextlib.suppress(ClientError):
        cloudformation.delete_stack(StackName=stack)
    if repository_exists(ecr, name):
        ecr.delete_repository(repositoryName=name, force=True)


def _names() -> tuple[str, str]:
    """A fresh (stack name, repository name) pair."""
    suffix = secrets.token_hex(4)
    return f"emulator-{suffix}", f"emulator/{suffix}"


@contextlib.contextmanager
def _repository_stack(clients: Clients, **template: Any) -> Iterator[tuple[str, str]]:
    """A stack holding one repository named ``emulator/<random>``; both removed afterwards."""
    stack, name = _names()
    clients[0].create_stack(StackName=stack, TemplateBody=_template(name, **template))
    try:
        yield stack, name
    finally:
        _cleanup(*clients, stack, name)


# Each scenario runs against (cloudformation, ecr) clients and returns what it observed.


def configurations_are_applied(clients: Clients) -> object:
    ecr = clients[1]
    with _repository_stack(clients) as (_, name):
        repository = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
        try:
            lifecycle = json.loads(ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"])
        except ecr.exceptions.LifecyclePolicyNotFoundException:
            lifecycle = None
        try:
            policy = json.loads(ecr.get_repository_policy(repositoryName=name)["policyText"])
        except ecr.exceptions.RepositoryPolicyNotFoundException:
            policy = None
        return (
            repository["imageScanningConfiguration"].get("scanOnPush"),
            repository["encryptionConfiguration"].get("encryptionType"),
            lifecycle,
            policy,
        )


def update_is_in_place(clients: Clients) -> object:
    cloudformation, ecr = clients
    with _repository_stack(clients) as (stack, name):
        before = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]["createdAt"]
        push_image(ecr, name, "v1", Image.build("emulator update"))
        cloudformation.update_stack(StackName=stack, TemplateBody=_template(name, scan=False))
        after = ecr.describe_repositories(repositoryNames=[name])["repositories"]
        return (
            after[0]["createdAt"] == before,
            after[0]["imageScanningConfiguration"].get("scanOnPush"),
            len(ecr.describe_images(repositoryName=name)["imageDetails"]),
        )


def _encryption_and_images(ecr: Any, name: str) -> tuple[str, int] | None:
    if not repository_exists(ecr, name):
        return None
    repository = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
    return repository["encryptionConfiguration"]["encryptionType"], len(
        ecr.describe_images(repositoryName=name)["imageDetails"]
    )


def encryption_change_of_a_named_repository_is_refused(clients: Clients) -> object:
    # EncryptionConfiguration is a createOnlyProperty: the change needs a replacement, which CloudFormation
    # refuses for a custom name that stays the same. The repository and its image stay as they were.
    cloudformation, ecr = clients
    with _repository_stack(clients) as (stack, name):
        push_image(ecr, name, "v1", Image.build("emulator encryption"))
        try:
            cloudformation.update_stack(
                StackName=stack, TemplateBody=_template(name, encryption={"EncryptionType": "AES256"})
            )
            outcome = "updated"
        except ClientError as error:
            outcome = "refused" if "custom-named resource requires replacing" in str(error) else str(error)
        return outcome, _encryption_and_images(ecr, name)


@contextlib.contextmanager
def _deleted_afterwards(ecr: Any, name: str) -> Iterator[str]:
    """A repository name that the scenario may create; deleted with its images afterwards."""
    try:
        yield name
    finally:
        if repository_exists(ecr, name):
            ecr.delete_repository(repositoryName=name, force=True)


def replacement_keeps_the_old_repository_with_retain(clients: Clients) -> object:
    # A new name and a new encryption: CloudFormation creates the new repository, and UpdateReplacePolicy
    # Retain keeps the old one with its images (DeletionPolicy/UpdateReplacePolicy attribute pages).
    cloudformation, ecr = clients
    with _repository_stack(clients, replace_policy="Retain") as (stack, name):
        push_image(ecr, name, "v1", Image.build("emulator replacement"))
        with _deleted_afterwards(ecr, f"{name}-v2") as renamed:
            cloudformation.update_stack(
                StackName=stack,
                TemplateBody=_template(renamed, encryption={"EncryptionType": "AES256"}, replace_policy="Retain"),
            )
            return _encryption_and_images(ecr, name), _encryption_and_images(ecr, renamed)


def replacement_deletes_the_old_repository_without_retain(clients: Clients) -> object:
    cloudformation, ecr = clients
    with _repository_stack(clients) as (stack, name), _deleted_afterwards(ecr, f"{name}-v2") as renamed:
        cloudformation.update_stack(StackName=stack, TemplateBody=_template(renamed))
        return repository_exists(ecr, name), _encryption_and_images(ecr, renamed)


def encryption_without_its_type_is_refused(clients: Clients) -> object:
    cloudformation, ecr = clients
    stack, name = _names()
    try:
        cloudformation.create_stack(StackName=stack, TemplateBody=_template(name, encryption={"KmsKey": "alias/x"}))
        return "created", _encryption_and_images(ecr, name)
    except ClientError as error:
        return "refused" if "required key [EncryptionType]" in str(error) else str(error)
    finally:
        _cleanup(cloudformation, ecr, stack, name)


def archive_rules_are_accepted(clients: Clients) -> object:
    ecr = clients[1]
    archive = {"LifecyclePolicy": {"LifecyclePolicyText": json.dumps(ARCHIVE_LIFECYCLE)}}
    with _repository_stack(clients, extra=archive) as (_, name):
        return json.loads(ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"])


def empty_on_delete_deletes_the_images(clients: Clients) -> object:
    cloudformation, ecr = clients
    with _repository_stack(clients, extra={"EmptyOnDelete": True}) as (stack, name):
        push_image(ecr, name, "v1", Image.build("emulator empty on delete"))
        try:
            cloudformation.delete_stack(StackName=stack)
        except ClientError as error:
            return ("delete failed", error.response["Error"]["Code"])
        return ("repository exists", repository_exists(ecr, name))


def immutable_tag_is_refused(clients: Clients) -> object:
    ecr = clients[1]
    with _repository_stack(clients) as (_, name):
        push_image(ecr, name, "v1", Image.build("emulator tag 1"))
        try:
            push_image(ecr, name, "v1", Image.build("emulator tag 2"))
        except ClientError as error:
            return error.response["Error"]["Code"]
        return "overwritten"


def previous_value_of_a_defaulted_parameter(clients: Clients) -> object:
    cloudformation = clients[0]
    with _repository_stack(clients) as (stack, name):
        try:
            cloudformation.update_stack(
                StackName=stack,
                TemplateBody=_template(name, scan=False),
                Parameters=[{"ParameterKey": "Version", "UsePreviousValue": True}],
            )
        except ClientError as error:
            return ("update failed", error.response["Error"]["Code"])
        return cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]


def registry_settings_are_applied(clients: Clients) -> object:
    cloudformation, ecr = clients
    stack = f"emulator-registry-{secrets.token_hex(4)}"
    scanning_rule = {"ScanFrequency": "SCAN_ON_PUSH", "RepositoryFilters": [{"Filter": "x*", "FilterType": "WILDCARD"}]}
    template = {
        "Resources": {
            "Replication": {
                "Type": "AWS::ECR::ReplicationConfiguration",
                "Properties": {
                    "ReplicationConfiguration": {
                        "Rules": [{"Destinations": [{"Region": "eu-west-1", "RegistryId": "1" * 12}]}]
                    }
                },
            },
            "Scanning": {
                "Type": "AWS::ECR::RegistryScanningConfiguration",
                "Properties": {"ScanType": "BASIC", "Rules": [scanning_rule]},
            },
        }
    }
    cloudformation.create_stack(StackName=stack, TemplateBody=json.dumps(template))
    try:
        return (
            ecr.describe_registry()["replicationConfiguration"]["rules"],
            ecr.get_registry_scanning_configuration()["scanningConfiguration"]["rules"],
        )
    finally:
        cloudformation.delete_stack(StackName=stack)


def a_stack_created_through_a_change_set_keeps_its_outputs_and_updates(clients: Clients) -> object:
    cloudformation, _ = clients
    stack = f"emulator-change-set-{secrets.token_hex(4)}"
    template: dict[str, Any] = {
        "Parameters": {"Variant": {"Type": "String", "Default": "first"}},
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": stack}}},
        "Outputs": {"Variant": {"Value": {"Ref": "Variant"}}},
    }
    observed: list[object] = []
    try:
        # The CDK CLI's sequence: delete the name it is about to use, create, wait, execute.
        cloudformation.delete_change_set(StackName=stack, ChangeSetName="cdk-change-set")
        for kind in ("CREATE", "UPDATE"):
            parameters = [{"ParameterKey": "Variant", "UsePreviousValue": True}] if kind == "UPDATE" else []
            if kind == "UPDATE":  # an update with changes (CloudFormation refuses one without)
                template["Outputs"]["Second"] = {"Value": "second", "Export": {"Name": f"{stack}-second"}}
            cloudformation.create_change_set(
                StackName=stack,
                ChangeSetName="cdk-change-set",
                TemplateBody=json.dumps(template),
                ChangeSetType=kind,
                Parameters=parameters,
            )
            cloudformation.execute_change_set(StackName=stack, ChangeSetName="cdk-change-set")
            outputs = cloudformation.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
            observed.append([(o["OutputKey"], o["OutputValue"]) for o in outputs])
            cloudformation.delete_change_set(StackName=stack, ChangeSetName="cdk-change-set")
        try:
            cloudformation.describe_change_set(StackName=stack, ChangeSetName="gone")
        except ClientError as error:
            observed.append(error.response["Error"]["Code"])
        return observed
    finally:
        cloudformation.delete_stack(StackName=stack)


def registry_without_caches_or_templates_lists_none(clients: Clients) -> object:
    _, ecr = clients
    return (
        ecr.describe_pull_through_cache_rules()["pullThroughCacheRules"],
        ecr.describe_repository_creation_templates()["repositoryCreationTemplates"],
        ecr.list_pull_time_update_exclusions()["pullTimeUpdateExclusions"],
    )


def _client(cloudformation: Any, service: str) -> Any:
    # The emulator's endpoint serves every service; in-process moto intercepts AWS's own endpoints.
    endpoint = cloudformation.meta.endpoint_url
    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing").client(
        service,
        region_name=cloudformation.meta.region_name,
        endpoint_url=None if "amazonaws.com" in endpoint else endpoint,
    )


def a_tagged_kms_key_is_created_with_its_policy(clients: Clients) -> object:
    cloudformation, _ = clients
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    template = {
        "Resources": {
            "Key": {
                "Type": "AWS::KMS::Key",
                "Properties": {"KeyPolicy": policy, "EnableKeyRotation": True, "Tags": [{"Key": "k", "Value": "v"}]},
            }
        }
    }
    stack = f"emulator-kms-{secrets.token_hex(4)}"
    cloudformation.create_stack(StackName=stack, TemplateBody=json.dumps(template))
    try:
        resources = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
        key_id = resources[0]["PhysicalResourceId"]
        kms = _client(cloudformation, "kms")
        return (
            json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == policy,
            kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"],
            kms.list_resource_tags(KeyId=key_id)["Tags"],
        )
    finally:
        cloudformation.delete_stack(StackName=stack)


def an_import_change_set_adopts_an_existing_repository(clients: Clients) -> object:
    """``cdk import``'s calls: GetTemplateSummary names the identifier, an IMPORT change set adopts the repository
    with its image ("Import AWS resources into a CloudFormation stack manually"); the next update, with the
    SSM-typed ``BootstrapVersion`` as ``UsePreviousValue``, changes it in place."""
    cloudformation, ecr = clients
    suffix = secrets.token_hex(4)
    name, stack = f"adopted-{suffix}", f"emulator-import-{suffix}"
    ecr.create_repository(repositoryName=name)
    push_image(ecr, name, "v1", Image.build("emulator import"))
    version = f"/emulator-import-{suffix}/version"
    _client(cloudformation, "ssm").put_parameter(Name=version, Value="33", Type="String")
    parameters = {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": version}}
    placeholder = {"Placeholder": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}
    previous = [{"ParameterKey": "BootstrapVersion", "UsePreviousValue": True}]
    cloudformation.create_stack(
        StackName=stack, TemplateBody=json.dumps({"Parameters": parameters, "Resources": placeholder})
    )
    repository: dict[str, Any] = {
        "Type": "AWS::ECR::Repository",
        "DeletionPolicy": "Retain",
        "Properties": {"RepositoryName": name, "ImageTagMutability": "MUTABLE"},
    }

    def body() -> str:
        return json.dumps({"Parameters": parameters, "Resources": {**placeholder, "Repo": repository}})

    try:
        summary = cloudformation.get_template_summary(TemplateBody=body()).get("ResourceIdentifierSummaries")
        cloudformation.create_change_set(
            StackName=stack,
            ChangeSetName="import",
            TemplateBody=body(),
            ChangeSetType="IMPORT",
            Parameters=previous,
            ResourcesToImport=[
                {
                    "ResourceType": "AWS::ECR::Repository",
                    "LogicalResourceId": "Repo",
                    "ResourceIdentifier": {"RepositoryName": name},
                }
            ],
        )
        cloudformation.execute_change_set(StackName=stack, ChangeSetName="import")
        status = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        resources = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
        repository["Properties"]["ImageTagMutability"] = "IMMUTABLE"
        cloudformation.update_stack(StackName=stack, TemplateBody=body(), Parameters=previous)
        (live,) = ecr.describe_repositories(repositoryNames=[name])["repositories"]
        return (
            summary,
            status,
            [r["PhysicalResourceId"] == name for r in resources if r.get("LogicalResourceId") == "Repo"],
            len(ecr.describe_images(repositoryName=name)["imageDetails"]),
            live["imageTagMutability"],
        )
    finally:
        cloudformation.delete_stack(StackName=stack)
        ecr.delete_repository(repositoryName=name, force=True)


# (scenario, what AWS answers, as the ECR and CloudFormation documentation describe it)
SCENARIOS: list[tuple[Callable[[Clients], object], object]] = [
    (configurations_are_applied, (True, "KMS", LIFECYCLE, POLICY)),
    (update_is_in_place, (True, False, 1)),
    (encryption_change_of_a_named_repository_is_refused, ("refused", ("KMS", 1))),
    (replacement_keeps_the_old_repository_with_retain, (("KMS", 1), ("AES256", 0))),
    (replacement_deletes_the_old_repository_without_retain, (False, ("KMS", 0))),
    (encryption_without_its_type_is_refused, "refused"),
    (archive_rules_are_accepted, ARCHIVE_LIFECYCLE),
    (empty_on_delete_deletes_the_images, ("repository exists", False)),
    (immutable_tag_is_refused, "ImageTagAlreadyExistsException"),
    (previous_value_of_a_defaulted_parameter, "UPDATE_COMPLETE"),
    (
        registry_settings_are_applied,
        (
            [{"destinations": [{"region": "eu-west-1", "registryId": "1" * 12}]}],
            [{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "x*", "filterType": "WILDCARD"}]}],
        ),
    ),
    (registry_without_caches_or_templates_lists_none, ([], [], [])),
    (a_tagged_kms_key_is_created_with_its_policy, (True, True, [{"TagKey": "k", "TagValue": "v"}])),
    (
        an_import_change_set_adopts_an_existing_repository,
        (
            [
                {
                    "ResourceType": "AWS::ECR::Repository",
                    "LogicalResourceIds": ["Repo"],
                    "ResourceIdentifiers": ["RepositoryName"],
                }
            ],
            "IMPORT_COMPLETE",
            [True],
            1,
            "IMMUTABLE",
        ),
    ),
    (
        a_stack_created_through_a_change_set_keeps_its_outputs_and_updates,
        [[("Variant", "first")], [("Variant", "first"), ("Second", "second")], "ChangeSetNotFound"],
    ),
]
IDS = [scenario.__name__ for scenario, _ in SCENARIOS]


@pytest.fixture
def unpatched() -> Iterator[Clients]:
    """moto in this process, as pip installed it (the suite never patches its own process)."""
    assert not patches._applied
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=EMULATOR_REGION)
    with moto.mock_aws():
        yield session.client("cloudformation"), session.client("ecr")


@pytest.fixture
def emulated(target: Any) -> Clients:
    return target.client("cloudformation"), target.client("ecr")


@pytest.mark.filterwarnings("ignore:Tried to parse AWS")  # moto's own notice of the gap
@pytest.mark.parametrize(("scenario", "expected"), SCENARIOS, ids=IDS)
def test_gap_is_real_in_the_pinned_moto(
    unpatched: Clients, scenario: Callable[[Clients], object], expected: object
) -> None:
    try:
        observed: object = scenario(unpatched)
    except Exception as error:  # moto in-process raises its internal errors
        observed = error
    assert observed != expected


@pytest.mark.parametrize(("scenario", "expected"), SCENARIOS, ids=IDS)
def test_emulator_answers_as_aws_does(
    emulated: Clients, scenario: Callable[[Clients], object], expected: object
) -> None:
    assert scenario(emulated) == expected


def test_emulator_keeps_refusing_to_delete_a_repository_with_images(emulated: Clients) -> None:
    cloudformation, ecr = emulated
    with _repository_stack(emulated) as (stack, name):
        push_image(ecr, name, "v1", Image.build("emulator not empty"))
        with contextlib.suppress(ClientError):
            cloudformation.delete_stack(StackName=stack)
        assert repository_exists(ecr, name)


def test_emulator_rejects_an_invalid_lifecycle_policy(emulated: Clients) -> None:
    cloudformation, ecr = emulated
    stack, name = _names()
    bad = _template(name).replace('\\"countNumber\\": 3', '\\"countNumber\\": 0')
    assert bad != _template(name)
    with pytest.raises(ClientError):
        cloudformation.create_stack(StackName=stack, TemplateBody=bad)
    _cleanup(cloudformation, ecr, stack, name)


def test_create_only_properties_are_those_of_cloudformations_resource_schema() -> None:
    # cfn-lint ships CloudFormation's resource provider schemas; it lives in the scanners' environment.
    python = Path(__file__).resolve().parents[1] / ".tools" / "scanners" / "bin" / "python"
    program = (
        "import json, pathlib, cfnlint.data.schemas as s; root = pathlib.Path(s.__file__).parent; "
        "h = json.loads((root / 'providers' / 'us-east-1.json').read_text())['AWS::ECR::Repository']; "
        "print(json.dumps(json.loads((root / 'resources' / f'{h}.json').read_text())['createOnlyProperties']))"
    )
    done = subprocess.run([str(python), "-c", program], capture_output=True, text=True, timeout=120, check=True)
    schema = json.loads(done.stdout)
    top_level = sorted({p.split("/")[2] for p in schema})
    assert top_level == sorted(patches.CREATE_ONLY_PROPERTIES)
    assert "/properties/EncryptionConfiguration/KmsKey" in schema


def test_patches_refuse_another_moto_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto, "__version__", "9.9.9")
    with pytest.raises(patches.EmulatorVersionError, match=re.escape("moto[server]==5.2.5")):
        patches.apply()
    assert not patches._applied


def test_launcher_stops_exactly_its_process(tmp_path: Path) -> None:
    emulator = Emulator.start(tmp_path / "log")
    pid = emulator.pid
    assert emulator.answers()
    emulator.stop()
    emulator.stop()  # idempotent
    assert emulator.process.returncode is not None
    assert not emulator.answers()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_launcher_reports_a_server_that_cannot_start(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(EmulatorError, match="exited with code"):
            Emulator.start(tmp_path / "log", port=port, ready_timeout=30)
