"""Push a small, real container image through the ECR API with boto3 (no Docker).

The image is one gzipped tar layer holding one text file, an image config that names the layer's
uncompressed digest, and a Docker v2 schema 2 manifest; blobs go up with InitiateLayerUpload /
UploadLayerPart / CompleteLayerUpload, the manifest with PutImage under its sha256 digest, as
``docker push`` does. Different ``content`` gives a different image.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from typing import Any

MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_MEDIA_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_MEDIA_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Image:
    """A built image: its blobs (config and layer) and its manifest."""

    blobs: tuple[bytes, ...]
    manifest: str

    @property
    def digest(self) -> str:
        """The manifest's digest: the image digest ECR reports."""
        return _digest(self.manifest.encode())

    @classmethod
    def build(cls, content: str) -> Image:
        """An image whose only file, ``/hello.txt``, holds ``content`` (built reproducibly)."""
        data = content.encode()
        tar_buffer = io.BytesIO()
        with tarfile.open(fileobj=tar_buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
            info = tarfile.TarInfo("hello.txt")
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
        layer_tar = tar_buffer.getvalue()
        layer = gzip.compress(layer_tar, mtime=0)
        config = json.dumps(
            {
                "architecture": "amd64",
                "os": "linux",
                "config": {"Cmd": ["cat", "/hello.txt"]},
                "rootfs": {"type": "layers", "diff_ids": [_digest(layer_tar)]},
            },
            separators=(",", ":"),
        ).encode()
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": MANIFEST_MEDIA_TYPE,
                "config": {"mediaType": CONFIG_MEDIA_TYPE, "size": len(config), "digest": _digest(config)},
                "layers": [{"mediaType": LAYER_MEDIA_TYPE, "size": len(layer), "digest": _digest(layer)}],
            },
            separators=(",", ":"),
        )
        return cls((config, layer), manifest)


def upload_blob(ecr: Any, repository_name: str, blob: bytes) -> str:
    """Upload one blob unless the repository has it already; return its digest."""
    digest = _digest(blob)
    available = ecr.batch_check_layer_availability(repositoryName=repository_name, layerDigests=[digest])
    if any(layer.get("layerAvailability") == "AVAILABLE" for layer in available.get("layers", [])):
        return digest
    upload_id = ecr.initiate_layer_upload(repositoryName=repository_name)["uploadId"]
    ecr.upload_layer_part(
        repositoryName=repository_name,
        uploadId=upload_id,
        partFirstByte=0,
        partLastByte=len(blob) - 1,
        layerPartBlob=blob,
    )
    completed = ecr.complete_layer_upload(repositoryName=repository_name, uploadId=upload_id, layerDigests=[digest])
    if completed["layerDigest"] != digest:
        raise AssertionError(f"ECR computed {completed['layerDigest']} for a blob whose digest is {digest}")
    return digest


def push_image(ecr: Any, repository_name: str, tag: str, image: Image) -> str:
    """Push ``image`` under ``tag``; return the image digest ECR reports.

    Raises ECR's errors unchanged, e.g. ``ImageTagAlreadyExistsException`` when an immutable
    repository already holds ``tag`` for another image.
    """
    for blob in image.blobs:
        upload_blob(ecr, repository_name, blob)
    response = ecr.put_image(
        repositoryName=repository_name,
        imageManifest=image.manifest,
        imageManifestMediaType=MANIFEST_MEDIA_TYPE,
        imageTag=tag,
        imageDigest=image.digest,
    )
    return str(response["image"]["imageId"]["imageDigest"])


def digest_of(ecr: Any, repository_name: str, tag: str) -> str:
    """The digest of the image that ``tag`` points at."""
    images = ecr.describe_images(repositoryName=repository_name, imageIds=[{"imageTag": tag}])["imageDetails"]
    return str(images[0]["imageDigest"])
