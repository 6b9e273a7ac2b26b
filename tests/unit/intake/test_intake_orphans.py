"""The orphan-blob sweep (services/intake/orphans.py, deploy.housekeeping) on
the real directory blob store and intake's store: a blob left by an upload
whose transaction rolled back goes once it is old enough; a blob an
attachment names, or a young one, stays; two replicas at once delete each
orphan and nothing else."""
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from core.errors import ConfigurationError
from core.store import utcnow
from deploy.housekeeping import main, sweep_orphans
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
    age(backend, young_orphan, 3)
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
    sweep_orphans(store.sessions, config, 2, utcnow(), dry_run=True)
    out = capsys.readouterr().out.splitlines()
    assert sorted(out[:2]) == sorted(f"intake: orphan blob {k} would be deleted"
                                     for k in (old_orphan, young_orphan))
    assert out[2] == ("intake: 2 blobs named by no attachment and older than 2 hours "
                      "would be deleted")
    sweep_orphans(store.sessions, config, None, utcnow() + timedelta(hours=48), dry_run=False)
    assert capsys.readouterr().out == (
        "intake: 1 blobs named by no attachment and older than 72 hours deleted\n")
    assert {key for key, _ in blobs.LocalBlobs(tmp_path).listing()} == {named, young_orphan}


@pytest.mark.parametrize("hours", ["0", "0.5", "-1", "nan"])
def test_an_age_under_an_hour_is_refused_and_nothing_goes(blobs_on_disk, store, tmp_path,
                                                          hours, capsys):
    # under an hour the sweep could take the blob of an upload whose row has
    # not committed yet
    before = {key for key, _ in blobs.LocalBlobs(tmp_path).listing()}
    config = {"ATTACHMENT_DIR": str(tmp_path), "ORPHAN_BLOB_HOURS": hours}
    with pytest.raises(ConfigurationError, match="ORPHAN_BLOB_HOURS must be at least 1 hour"):
        sweep_orphans(store.sessions, config, None, utcnow(), dry_run=False)
    with pytest.raises(ConfigurationError, match="at least 1 hour"):
        orphans.sweep(store.sessions, blobs.LocalBlobs(tmp_path), float(hours))
    with pytest.raises(SystemExit) as exit_:
        main(["intake", "--orphan-hours", hours])
    assert exit_.value.code == 2
    assert "--orphan-hours: --orphan-hours must be at least 1 hour" in capsys.readouterr().err
    assert {key for key, _ in blobs.LocalBlobs(tmp_path).listing()} == before
    # an hour is enough: the 3-hour-old orphan goes, the named blob stays
    named, old_orphan, young_orphan = blobs_on_disk
    config["ORPHAN_BLOB_HOURS"] = "1"
    sweep_orphans(store.sessions, config, None, utcnow(), dry_run=False)
    assert {key for key, _ in blobs.LocalBlobs(tmp_path).listing()} == {named}
