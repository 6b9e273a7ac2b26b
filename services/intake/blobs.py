"""Where case materials' bytes live: a blob store, encrypted at rest.

Two backends with one interface (``put``, ``get``, ``delete`` by key, and
``listing`` for the orphan sweep, orphans.py): a local
directory (the default, under ``var/``) and S3-compatible storage (boto3: AWS,
MinIO, Ceph...), chosen by ``ATTACHMENT_STORE``. ``EncryptedBlobs`` wraps
either: what reaches the disk or the bucket is a Fernet token made with the
first of ``ATTACHMENT_ENCRYPTION_KEYS`` (newest first: older keys still
decrypt during a rotation, as for every other key, core/privacy.py).
Keys are random, never a file's name: nothing about a file shows in a path.
"""
import os
import re
import secrets
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core.errors import ConfigurationError, NotFound


def new_key():
    return secrets.token_hex(16)


class LocalBlobs:
    """Files under ``root``, two levels of fan-out (``ab/cd/abcd...``);
    written to a temporary file and renamed, so a blob is whole or absent.

    No prefix per deployment here, unlike S3Blobs: a directory is one host's,
    only the city's stack runs intake on a host (deploy.services
    ``deployed_services``: a county's runs routing and tracking alone), and a
    cluster never uses a directory (deploy/k8s.py ``BLOB_STORE``)."""

    def __init__(self, root):
        self.root = Path(root)

    def _path(self, key):
        if len(key) < 4 or not key.isalnum():
            raise NotFound("no such blob")
        return self.root / key[:2] / key[2:4] / key

    def put(self, key, data):
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key):
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise NotFound("no such blob") from None

    def delete(self, key):
        self._path(key).unlink(missing_ok=True)

    def listing(self):
        """(key, when it was written) of every whole blob (a temporary file
        of a write under way is not one); a blob deleted meanwhile is skipped."""
        for path in self.root.glob("??/??/*"):
            if path.name.startswith(".part-"):
                continue
            try:
                written = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
            except FileNotFoundError:
                continue
            yield path.name, written


# Where every deployment kept its objects before each had a prefix of its own.
LEGACY_PREFIX = "attachments/"
DEPLOYMENT_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


class S3Blobs:
    """Objects in an S3-compatible bucket (``endpoint`` for anything but AWS
    itself); credentials as given, else boto3's usual chain (AWS_* variables).

    A bucket may be shared: the city's and a county's Kubernetes overlays
    (deploy/k8s.py) each run intake, with its own database, on whatever bucket
    its ``petition-intake`` Secret names. Each deployment therefore writes and
    lists under ``attachments/<deployment>/`` only, so the orphan sweep, which
    deletes what its own database does not name, never sees another's files.
    Objects written before (``attachments/<key>``) stay readable and
    deletable, but are never listed: nothing tells one deployment's old
    objects from another's, and a wrongly kept orphan costs some storage
    where a wrongly swept one costs a petitioner's case file."""

    def __init__(self, bucket, deployment, endpoint=None, region=None, access_key=None,
                 secret_key=None):
        import boto3
        from botocore.config import Config

        if not DEPLOYMENT_NAME.fullmatch(deployment or ""):
            raise ConfigurationError(
                "intake: ATTACHMENT_S3_DEPLOYMENT must name this deployment (lower-case "
                f"letters, digits, '-' or '_', e.g. city or county-370114), not {deployment!r}")
        self.bucket, self.prefix = bucket, f"{LEGACY_PREFIX}{deployment}/"
        self.client = boto3.client(
            "s3", endpoint_url=endpoint or None, region_name=region or None,
            aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None,
            config=Config(retries={"max_attempts": 3, "mode": "standard"},
                          connect_timeout=5, read_timeout=30))

    def put(self, key, data):
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)

    def get(self, key):
        for prefix in (self.prefix, LEGACY_PREFIX):
            try:
                return self.client.get_object(Bucket=self.bucket, Key=prefix + key)["Body"].read()
            except self.client.exceptions.NoSuchKey:
                continue
        raise NotFound("no such blob")

    def delete(self, key):
        # the retention erasure of an attachment stored under either layout
        for prefix in (self.prefix, LEGACY_PREFIX):
            self.client.delete_object(Bucket=self.bucket, Key=prefix + key)

    def listing(self):
        """(key, when it was written) of every object under this deployment's
        own prefix (never the legacy layout's: see the class)."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for found in page.get("Contents", ()):
                yield found["Key"][len(self.prefix):], found["LastModified"]


# ATTACHMENT_STORE: its backend.
BACKENDS = {"local": LocalBlobs, "s3": S3Blobs}


class EncryptedBlobs:
    """A backend whose blobs are encrypted before they leave this process."""

    def __init__(self, backend, keys):
        keys = [k.strip() for k in (keys or "").split(",") if k.strip()]
        if not keys:
            raise ConfigurationError(
                "intake: ATTACHMENT_ENCRYPTION_KEYS not set; case materials are never stored "
                "unencrypted (see services/intake/config.yaml)")
        try:
            self.fernet = MultiFernet([Fernet(k) for k in keys])
        except ValueError as exc:
            raise ConfigurationError(
                f"intake: ATTACHMENT_ENCRYPTION_KEYS must be comma-separated Fernet keys ({exc})"
            ) from None
        self.backend = backend

    def put(self, data):
        """Store ``data``; returns its new key."""
        key = new_key()
        self.backend.put(key, self.fernet.encrypt(data))
        return key

    def get(self, key):
        try:
            return self.fernet.decrypt(self.backend.get(key))
        except InvalidToken:
            raise ConfigurationError(
                "a stored attachment cannot be decrypted with ATTACHMENT_ENCRYPTION_KEYS "
                "(a key removed too early?)") from None

    def delete(self, key):
        self.backend.delete(key)


# The S3-compatible store's settings (config.yaml). The bucket and the
# deployment (its own prefix in a bucket that may be shared, S3Blobs) are
# required; the
# endpoint (anything but AWS itself), the region and the key pair are optional
# (without the pair: boto3's own chain, e.g. a pod's cloud identity), but the
# pair is whole or absent. deploy/k8s.py gives them, from the service's
# Secret, to every container that runs intake.
S3_SETTINGS = ("ATTACHMENT_S3_BUCKET", "ATTACHMENT_S3_DEPLOYMENT", "ATTACHMENT_S3_ENDPOINT",
               "ATTACHMENT_S3_REGION",
               "ATTACHMENT_S3_ACCESS_KEY", "ATTACHMENT_S3_SECRET_KEY")
S3_REQUIRED = ("ATTACHMENT_S3_BUCKET", "ATTACHMENT_S3_DEPLOYMENT")
S3_KEY_PAIR = ("ATTACHMENT_S3_ACCESS_KEY", "ATTACHMENT_S3_SECRET_KEY")


def settings(config):
    """(backend, its arguments) ``config`` describes; ConfigurationError for a
    store configured half-way, so intake refuses to start rather than keep the
    files somewhere nobody meant."""
    backend = config.get("ATTACHMENT_STORE") or "local"
    given = [name for name in S3_SETTINGS if config.get(name)]
    if backend == "local":
        # S3 settings without ATTACHMENT_STORE=s3 (a deployment that forgot
        # it) would silently keep the files in a directory of this host.
        if given:
            raise ConfigurationError(
                f"intake: {', '.join(given)} set but ATTACHMENT_STORE is local; set "
                "ATTACHMENT_STORE=s3, or remove them to keep the files in ATTACHMENT_DIR")
        return "local", {"root": config.get("ATTACHMENT_DIR") or "var/attachments"}
    if backend == "s3":
        missing = [name for name in S3_REQUIRED if not config.get(name)]
        if missing:
            raise ConfigurationError(f"intake: ATTACHMENT_STORE=s3 needs {', '.join(missing)}")
        pair = [name for name in S3_KEY_PAIR if config.get(name)]
        if len(pair) == 1:
            raise ConfigurationError(
                f"intake: {pair[0]} set without {(set(S3_KEY_PAIR) - set(pair)).pop()}; give "
                "both, or neither for boto3's own credentials")
        return "s3", {"bucket": config["ATTACHMENT_S3_BUCKET"],
                      "deployment": config["ATTACHMENT_S3_DEPLOYMENT"],
                      "endpoint": config.get("ATTACHMENT_S3_ENDPOINT"),
                      "region": config.get("ATTACHMENT_S3_REGION"),
                      "access_key": config.get("ATTACHMENT_S3_ACCESS_KEY"),
                      "secret_key": config.get("ATTACHMENT_S3_SECRET_KEY")}
    raise ConfigurationError(
        f"intake: ATTACHMENT_STORE must be one of {', '.join(BACKENDS)}, not {backend!r}")


def backend_from_config(config):
    """The directory or bucket ``config`` describes, without the encryption
    (what the orphan sweep needs: keys and ages, never contents)."""
    backend, arguments = settings(config)
    return BACKENDS[backend](**arguments)


def from_config(config):
    """The encrypted blob store ``config`` describes (intake's config.yaml)."""
    return EncryptedBlobs(backend_from_config(config),
                          str(config.get("ATTACHMENT_ENCRYPTION_KEYS") or ""))
