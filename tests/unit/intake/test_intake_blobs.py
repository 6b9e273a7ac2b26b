"""The blob store of case materials: a local directory and a real
S3-compatible server (moto's, in this process on a free port), each behind the
encryption: what is stored is never the file, and a key rotation keeps old
files readable."""
import json
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from moto.server import ThreadedMotoServer
from nameko.containers import ServiceContainer

from core.config import ROOT
from core.errors import ConfigurationError, NotFound
from deploy.stack import free_port
from services.intake import blobs
from services.intake.service import IntakeService

FILE = b"%PDF-1.4 \xe6\x88\xbf\xe5\xb1\x8b\xe6\xbc\x8f\xe6\xb0\xb4 the petitioner's own words"


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


# boto3 run as intake runs it: in a process green from its first line. (In
# this test process, pytest's plugins import urllib3's ssl before conftest
# makes the process green, and botocore's SSL context then recurses.)
S3_ROUNDTRIP = """
import eventlet; eventlet.monkey_patch()
import json, sys
from cryptography.fernet import Fernet
from services.intake import blobs
from services.intake.service import IntakeService
config = json.loads(sys.argv[1])
file = sys.argv[2].encode()
store = blobs.from_config({**config, "ATTACHMENT_ENCRYPTION_KEYS": Fernet.generate_key().decode()})
store.backend.client.create_bucket(Bucket=config["ATTACHMENT_S3_BUCKET"])
key = store.put(file)
assert store.get(key) == file
assert [k for k, written in store.backend.listing() if written.tzinfo] == [key]
raw = store.backend.client.get_object(Bucket=config["ATTACHMENT_S3_BUCKET"],
                                      Key="attachments/city/" + key)["Body"].read()
assert file not in raw and b"PDF" not in raw, "stored unencrypted"
store.delete(key)
assert list(store.backend.listing()) == []
try:
    store.get(key)
except blobs.NotFound:
    print("roundtrip ok")
"""


# Two deployments (the city's and a county's intake, deploy/k8s.py's overlays)
# on one bucket, which also holds an object of the layout before prefixes.
SHARED_BUCKET = """
import eventlet; eventlet.monkey_patch()
import json, sys
from datetime import timedelta
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
from core.store import utcnow
from services.intake import blobs, orphans
from services.intake.models import Base
config = json.loads(sys.argv[1])
city = blobs.backend_from_config({**config, "ATTACHMENT_S3_DEPLOYMENT": "city"})
county = blobs.backend_from_config({**config, "ATTACHMENT_S3_DEPLOYMENT": "county-370114"})
bucket = config["ATTACHMENT_S3_BUCKET"]
city.client.create_bucket(Bucket=bucket)
city.put("c0ffee00", b"the city's")
county.put("beef0000", b"the county's")
city.client.put_object(Bucket=bucket, Key="attachments/0ld00000", Body=b"stored before")
assert [k for k, _ in city.listing()] == ["c0ffee00"]
assert [k for k, _ in county.listing()] == ["beef0000"]
# the city's own database names none of them; a day later its sweep takes its own only
engine = create_engine("sqlite://")
Base.metadata.create_all(engine)
swept = orphans.sweep(sessionmaker(engine), city, 24, now=utcnow() + timedelta(hours=48))
assert swept == ["c0ffee00"], swept
assert list(city.listing()) == []
assert county.get("beef0000") == b"the county's"
assert city.get("0ld00000") == b"stored before"  # the old layout: still read...
city.delete("0ld00000")  # ...and erased (retention)
try:
    city.get("0ld00000")
except blobs.NotFound:
    print("shared ok")
"""


def test_deployments_sharing_a_bucket_never_sweep_each_others_blobs(s3_endpoint):
    config = {"ATTACHMENT_STORE": "s3", "ATTACHMENT_S3_BUCKET": f"shared-{free_port()}",
              "ATTACHMENT_S3_ENDPOINT": s3_endpoint, "ATTACHMENT_S3_REGION": "us-east-1",
              "ATTACHMENT_S3_ACCESS_KEY": "test", "ATTACHMENT_S3_SECRET_KEY": "test"}
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", SHARED_BUCKET,
                           json.dumps(config)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip() == "shared ok", done.stderr[-2000:]


def _roundtrip(store, raw_stored):
    key = store.put(FILE)
    assert store.get(key) == FILE
    stored = raw_stored(key)
    assert FILE not in stored and b"PDF" not in stored  # encrypted at rest
    [(listed, written)] = store.backend.listing()  # what the orphan sweep reads
    assert listed == key and written.tzinfo is not None
    store.delete(key)
    assert list(store.backend.listing()) == []
    with pytest.raises(NotFound):
        store.get(key)


def test_local_directory_keeps_files_encrypted(tmp_path):
    key = Fernet.generate_key().decode()
    store = blobs.from_config({"ATTACHMENT_DIR": str(tmp_path), "ATTACHMENT_ENCRYPTION_KEYS": key})
    _roundtrip(store, lambda k: store.backend._path(k).read_bytes())
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # deleted, no temporary left


def test_s3_compatible_server_keeps_files_encrypted(s3_endpoint):
    config = {"ATTACHMENT_STORE": "s3", "ATTACHMENT_S3_BUCKET": f"materials-{free_port()}",
              "ATTACHMENT_S3_DEPLOYMENT": "city", "ATTACHMENT_S3_ENDPOINT": s3_endpoint, "ATTACHMENT_S3_REGION": "us-east-1",
              "ATTACHMENT_S3_ACCESS_KEY": "test", "ATTACHMENT_S3_SECRET_KEY": "test"}
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", S3_ROUNDTRIP, json.dumps(config),
                           "%PDF-1.4 房屋漏水 the petitioner's own words"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "roundtrip ok", done.stderr[-2000:]


def test_rotation_reads_files_stored_under_the_old_key(tmp_path):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = blobs.from_config({"ATTACHMENT_DIR": str(tmp_path), "ATTACHMENT_ENCRYPTION_KEYS": old})
    key = before.put(FILE)
    after = blobs.from_config({"ATTACHMENT_DIR": str(tmp_path),
                               "ATTACHMENT_ENCRYPTION_KEYS": f"{new},{old}"})
    assert after.get(key) == FILE
    newer = after.put(FILE)
    with pytest.raises(ConfigurationError, match="decrypted"):
        before.get(newer)  # written with the new key, which the old list lacks


@pytest.mark.parametrize("config, reason", [
    ({}, "ATTACHMENT_ENCRYPTION_KEYS not set"),
    ({"ATTACHMENT_ENCRYPTION_KEYS": "not-a-key"}, "Fernet"),
    ({"ATTACHMENT_STORE": "ftp", "ATTACHMENT_ENCRYPTION_KEYS": "x"}, "ATTACHMENT_STORE"),
    ({"ATTACHMENT_STORE": "s3", "ATTACHMENT_ENCRYPTION_KEYS": "x"}, "ATTACHMENT_S3_BUCKET"),
    # S3 configured half-way
    ({"ATTACHMENT_STORE": "s3", "ATTACHMENT_S3_ENDPOINT": "http://minio:9000",
      "ATTACHMENT_S3_ACCESS_KEY": "k", "ATTACHMENT_S3_SECRET_KEY": "s",
      "ATTACHMENT_ENCRYPTION_KEYS": "x"}, "needs ATTACHMENT_S3_BUCKET"),
    ({"ATTACHMENT_STORE": "s3", "ATTACHMENT_S3_BUCKET": "b", "ATTACHMENT_S3_DEPLOYMENT": "city",
      "ATTACHMENT_S3_ACCESS_KEY": "k", "ATTACHMENT_ENCRYPTION_KEYS": "x"},
     "ACCESS_KEY set without ATTACHMENT_S3_SECRET_KEY"),
    ({"ATTACHMENT_STORE": "s3", "ATTACHMENT_S3_BUCKET": "b", "ATTACHMENT_S3_DEPLOYMENT": "city",
      "ATTACHMENT_S3_SECRET_KEY": "s", "ATTACHMENT_ENCRYPTION_KEYS": "x"},
     "SECRET_KEY set without ATTACHMENT_S3_ACCESS_KEY"),
    # a bucket may be shared: no deployment, no prefix of its own (S3Blobs)
    ({"ATTACHMENT_STORE": "s3", "ATTACHMENT_S3_BUCKET": "b", "ATTACHMENT_ENCRYPTION_KEYS": "x"},
     "needs ATTACHMENT_S3_DEPLOYMENT"),
    ({"ATTACHMENT_STORE": "s3", "ATTACHMENT_S3_BUCKET": "b", "ATTACHMENT_S3_DEPLOYMENT": "../x",
      "ATTACHMENT_ENCRYPTION_KEYS": "x"}, "ATTACHMENT_S3_DEPLOYMENT must name"),
    # S3 settings but the store left local: the files would stay on this host
    ({"ATTACHMENT_S3_BUCKET": "b", "ATTACHMENT_S3_ENDPOINT": "http://minio:9000",
      "ATTACHMENT_ENCRYPTION_KEYS": "x"},
     "ATTACHMENT_S3_BUCKET, ATTACHMENT_S3_ENDPOINT set but ATTACHMENT_STORE is local"),
    ({"ATTACHMENT_STORE": "local", "ATTACHMENT_S3_SECRET_KEY": "s",
      "ATTACHMENT_ENCRYPTION_KEYS": "x"}, "ATTACHMENT_STORE is local"),
])
def test_refuses_to_start_without_a_usable_configuration(tmp_path, config, reason):
    with pytest.raises(ConfigurationError, match=reason):
        blobs.from_config({"ATTACHMENT_DIR": str(tmp_path), **config})


def test_intake_refuses_to_start_with_s3_half_configured(tmp_path):
    # What intake's container runs as it starts: its blob store's setup.
    container = ServiceContainer(IntakeService, {
        "AMQP_URI": "amqp://127.0.0.1:5672/", "ATTACHMENT_STORE": "s3", "ATTACHMENT_S3_BUCKET": "b", "ATTACHMENT_S3_DEPLOYMENT": "city",
        "ATTACHMENT_S3_ACCESS_KEY": "k", "ATTACHMENT_ENCRYPTION_KEYS": Fernet.generate_key().decode()})
    (provider,) = [d for d in container.dependencies if d.attr_name == "blobs"]
    with pytest.raises(ConfigurationError, match="ATTACHMENT_S3_SECRET_KEY"):
        provider.setup()


def test_s3_settings_are_passed_whole(tmp_path):
    # boto3's own credential chain when no key pair is given (a pod's identity)
    assert blobs.settings({"ATTACHMENT_STORE": "s3", "ATTACHMENT_S3_BUCKET": "b",
                           "ATTACHMENT_S3_DEPLOYMENT": "city"}) == (
        "s3", {"bucket": "b", "deployment": "city", "endpoint": None, "region": None, "access_key": None,
               "secret_key": None})
    assert blobs.settings({"ATTACHMENT_DIR": str(tmp_path)}) == ("local", {"root": str(tmp_path)})


def test_a_key_cannot_reach_outside_the_directory(tmp_path):
    store = blobs.LocalBlobs(tmp_path)
    with pytest.raises(NotFound):
        store.get("../../etc/passwd")
