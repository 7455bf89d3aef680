"""Read a live repository completely, for the offline preview (plain Python; boto3 from ``ecr-patterns[aws]``).

``describe_images`` returns one page (100 images by default) of ACTIVE images only unless asked for every
status (ECR API reference, DescribeImages: ``filter.imageStatus``); an archive rule previewed on one page of
active images sees nothing. :func:`list_repository_images` reads every page of every status;
:func:`image_index_children` fetches the manifests of the image indexes only (``batch_get_image``), which is
all the preview needs to protect the images a remaining index references.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ecr_patterns.core.errors import EcrPatternsError
from ecr_patterns.core.lifecycle.preview import INDEX_MEDIA_TYPES

FIRST_BOTO3_WITH_IMAGE_STATUS = "1.41.0"
"""botocore 1.40.76's ECR model lacks DescribeImages' ``imageStatus`` filter, 1.41.0 has it (bisected)."""
DESCRIBE_IMAGES_PAGE = 1000
"""``describe_images``' largest ``maxResults`` (ECR API reference): the fewest calls per repository."""
BATCH_GET_IMAGE_LIMIT = 100
"""``batch_get_image`` takes at most 100 image ids per call (ECR API reference, BatchGetImage)."""


class LiveRepositoryError(EcrPatternsError):
    """A live repository could not be read completely (old SDK, API error)."""


def _client(client: Any | None) -> Any:
    if client is not None:
        return client
    try:
        import boto3
    except ImportError:
        raise LiveRepositoryError("reading a live repository needs boto3: pip install 'ecr-patterns[aws]'") from None
    return boto3.client("ecr")


def list_repository_images(
    repository_name: str, *, registry_id: str | None = None, client: Any | None = None
) -> list[dict[str, Any]]:
    """Every image of a live repository: all pages, every image status (ACTIVE, ARCHIVED, ACTIVATING).

    :param registry_id: default ``None``: the caller's registry.
    :param client: default ``None``: ``boto3.client("ecr")`` with your configured credentials and endpoint.
    :raises LiveRepositoryError: when boto3 is missing or too old to list archived images, or ECR refuses.
    """
    ecr = _client(client)
    from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

    args: dict[str, Any] = {"repositoryName": repository_name, "filter": {"tagStatus": "ANY", "imageStatus": "ANY"}}
    if registry_id:
        args["registryId"] = registry_id
    try:
        pages = list(
            ecr.get_paginator("describe_images").paginate(**args, PaginationConfig={"PageSize": DESCRIBE_IMAGES_PAGE})
        )
    except ParamValidationError as err:
        if "imageStatus" in str(err):
            import botocore

            raise LiveRepositoryError(
                f"botocore {botocore.__version__} cannot list archived images (DescribeImages' imageStatus filter "
                f"came with boto3/botocore {FIRST_BOTO3_WITH_IMAGE_STATUS}): pip install 'ecr-patterns[aws]'"
            ) from None
        raise LiveRepositoryError(f"cannot list the images of {repository_name}: {err}") from None
    except (BotoCoreError, ClientError) as err:
        raise LiveRepositoryError(f"cannot list the images of {repository_name}: {err}") from None
    return [image for page in pages for image in page.get("imageDetails", [])]


def image_index_children(
    repository_name: str,
    images: Iterable[Mapping[str, Any]],
    *,
    registry_id: str | None = None,
    client: Any | None = None,
) -> dict[str, list[str]]:
    """For each image index (manifest list) among ``images``, the digests its manifest references. Only the
    indexes' manifests are fetched (``batch_get_image``, 100 per call).

    :param registry_id: default ``None``: the caller's registry.
    :param client: default ``None``: ``boto3.client("ecr")``.
    :raises LiveRepositoryError: when ECR refuses.
    """
    digests = [i["imageDigest"] for i in images if i.get("imageManifestMediaType") in INDEX_MEDIA_TYPES]
    if not digests:
        return {}
    ecr = _client(client)
    from botocore.exceptions import BotoCoreError, ClientError

    found: list[dict[str, Any]] = []
    for start in range(0, len(digests), BATCH_GET_IMAGE_LIMIT):
        args: dict[str, Any] = {
            "repositoryName": repository_name,
            "imageIds": [{"imageDigest": d} for d in digests[start : start + BATCH_GET_IMAGE_LIMIT]],
            "acceptedMediaTypes": sorted(INDEX_MEDIA_TYPES),
        }
        if registry_id:
            args["registryId"] = registry_id
        try:
            found += ecr.batch_get_image(**args).get("images", [])
        except (BotoCoreError, ClientError) as err:
            raise LiveRepositoryError(f"cannot read the image indexes of {repository_name}: {err}") from None
    return index_children_from_manifests(found)


def index_children_from_manifests(images: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """``{index digest: [referenced digests]}`` from ``batch-get-image``'s ``images`` (``imageId.imageDigest``
    and the ``imageManifest`` text); manifests that are not indexes are left out.

    :raises ValueError: when an entry is not shaped like batch-get-image's output.
    """
    children: dict[str, list[str]] = {}
    for entry in images:
        try:
            digest = entry["imageId"]["imageDigest"]
            manifest = json.loads(entry["imageManifest"])
        except (KeyError, TypeError, json.JSONDecodeError) as err:
            raise ValueError(f"not an image of batch-get-image output ({type(err).__name__}: {err})") from None
        media = entry.get("imageManifestMediaType") or manifest.get("mediaType")
        if media in INDEX_MEDIA_TYPES or "manifests" in manifest:
            children[digest] = [m["digest"] for m in manifest.get("manifests", []) if isinstance(m, Mapping)]
    return children
