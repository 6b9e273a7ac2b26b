"""Orphan blobs: files in the blob store that no attachment row names.

An upload writes its blob before the transaction that inserts the row commits
(attachments.py); when that transaction rolls back (the database refused the
row or was lost, the process died) the blob stays: encrypted, named by no one,
taking space. The sweep deletes the blobs older than an age
(``ORPHAN_BLOB_HOURS``, 24 by default) that no row names:

    python -m deploy.housekeeping intake [--orphan-hours 24] [--dry-run]

The age is what keeps an upload under way safe: its blob is seconds old when
its row commits, and a key is never reused (blobs.new_key), so a blob old
enough and unnamed stays unnamed; an age under ``MIN_HOURS`` is refused, as
it would take the blob of an upload whose row has not committed yet. The sweep
lists only this deployment's own blobs (blobs.S3Blobs: a bucket may be shared
with another deployment whose rows this database does not hold). Two replicas sweeping at once list the same
orphans and both delete them: deleting a blob already gone is no error, and
neither touches a named blob. The retention erasure deletes blobs before rows
(retention.py), so it leaves no orphan for this sweep to find.
"""
from datetime import timedelta
from itertools import islice

from sqlalchemy import select

from core.errors import ConfigurationError
from core.store import utcnow
from services.intake.models import Attachment

DEFAULT_HOURS = 24
# An upload's row commits seconds after its blob is written; an hour is far
# beyond any transaction, and under it the sweep could race an upload.
MIN_HOURS = 1
BATCH = 500


def sweep(sessions, backend, hours=DEFAULT_HOURS, now=None, dry_run=False):
    """Delete (``dry_run``: only list) the blobs of ``backend`` older than
    ``hours`` that no attachment row names; returns their keys."""
    check_hours(hours, "the orphan age")
    cutoff = (now or utcnow()) - timedelta(hours=hours)
    old = (key for key, written in backend.listing() if written < cutoff)
    orphans = []
    while batch := list(islice(old, BATCH)):
        with sessions() as session:
            named = set(session.scalars(select(Attachment.blob_key)
                                        .where(Attachment.blob_key.in_(batch))))
        for key in batch:
            if key not in named:
                if not dry_run:
                    backend.delete(key)
                orphans.append(key)
    return orphans


def check_hours(hours, setting):
    """``hours`` as a float, or ConfigurationError naming ``setting``."""
    try:
        hours = float(hours)
    except (TypeError, ValueError):
        raise ConfigurationError(f"intake: {setting} must be a number of hours, "
                                 f"not {hours!r}") from None
    if not hours >= MIN_HOURS:  # also refuses NaN
        raise ConfigurationError(
            f"intake: {setting} must be at least {MIN_HOURS} hour, not {hours:g}: a younger "
            "blob may belong to an upload whose attachment row has not committed yet")
    return hours
