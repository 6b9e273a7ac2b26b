"""The orphan-blob sweep (services/intake/orphans.py, deploy.housekeeping) on
the real directory blob store and intake's store: a blob left by an upload
whose transaction rolled back goes once it is old enough; a blob an
attachment names, or a young one, stays; two replicas at once delete each
orphan and nothing else."""
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from core.store import utcnow
from deploy.housekeeping import sweep_orphans
from services.intake import attachments, blobs, orphans
from tests.unit.intake.test_intake_attachments import PDF, PNG, b64


def keys(backend):
    return {key for key, _ in backend.listing()}


def age(backend, key, hours):
    """Make the blob ``key`` look written ``hours`` ago."""
    path = backend._path(key)
    when = (utcnow() - timedelta(hours=hours)).timestamp()
    os.utime(path, (when, when))


@pytest.fixture
def blobs_on_disk(service, receipt, store, settings, blob_store):
    """(named, old orphan, young orphan): one upload committed, two rolled back."""
    backend = blob_store.backend
    service.add_material(receipt["query_code"], b64(PNG), "照片.png")
    [named] = keys(backend)
    left = []
    for data in (PDF, PNG + b"\x00"):
        before = keys(backend)
        with pytest.raises(RuntimeError), store.transaction() as tx:
            attachments.add_by_petitioner(tx, receipt["query_code"], data, "x", None, settings,
                                          blob_store)
            raise RuntimeError("the transaction rolls back after the blob was written")
        [key] = keys(backend) - before
        left.append(key)
    old_orphan, young_orphan = left
    age(backend, named, 48)
    age(backend, old_orphan, 48)
    age(backend, young_orphan, 1)
    return named, old_orphan, young_orphan


def test_an_old_blob_no_attachment_names_goes_the_rest_stays(
        blobs_on_disk, store, blob_store):
    named, old_orphan, young_orphan = blobs_on_disk
    backend = blob_store.backend
    # the dry run lists it and deletes nothing
    assert orphans.sweep(store.sessions, backend, 24, dry_run=True) == [old_orphan]
    assert keys(backend) == {named, old_orphan, young_orphan}

    # two replicas at once: each finds the orphan, it is gone once, nothing else
    with ThreadPoolExecutor(2) as pool:
        swept = list(pool.map(lambda _: orphans.sweep(store.sessions, backend, 24), range(2)))
    assert swept == [[old_orphan], [old_orphan]] or sorted(swept) == [[], [old_orphan]]
    assert keys(backend) == {named, young_orphan}
    assert blob_store.get(named) == PNG  # the attachment's file, whole
    # the young one goes once it is past the age
    assert orphans.sweep(store.sessions, backend, 24, now=utcnow() + timedelta(hours=24)) == [
        young_orphan]
    assert keys(backend) == {named}


def test_housekeeping_prints_what_would_go_and_takes_the_age_from_config(
        blobs_on_disk, store, tmp_path, capsys):
    named, old_orphan, young_orphan = blobs_on_disk
    config = {"ATTACHMENT_DIR": str(tmp_path), "ORPHAN_BLOB_HOURS": "72"}
    sweep_orphans(store.sessions, config, None, utcnow(), dry_run=True)
    assert capsys.readouterr().out == (
        "intake: 0 blobs named by no attachment and older than 72 hours would be deleted\n")
    sweep_orphans(store.sessions, config, 0.5, utcnow(), dry_run=True)
    out = capsys.readouterr().out.splitlines()
    assert sorted(out[:2]) == sorted(f"intake: orphan blob {k} would be deleted"
                                     for k in (old_orphan, young_orphan))
    assert out[2] == ("intake: 2 blobs named by no attachment and older than 0.5 hours "
                      "would be deleted")
    sweep_orphans(store.sessions, config, None, utcnow() + timedelta(hours=48), dry_run=False)
    assert capsys.readouterr().out == (
        "intake: 1 blobs named by no attachment and older than 72 hours deleted\n")
    assert {key for key, _ in blobs.LocalBlobs(tmp_path).listing()} == {named, young_orphan}
