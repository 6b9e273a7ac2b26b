"""Case materials (补充材料): files a petitioner attaches by query code, or a
case's staff add, kept in the encrypted blob store (blobs.py).

A file's type is what its bytes are (libmagic), never what its name or the
client says; only the types in ``ALLOWED_TYPES`` are kept. Limits per file and
per case are configuration (``AttachmentPolicy``). The same file sent twice
to a case (a retried upload) is the one attachment. Staff may list and
download a case's files only if tracking says the case is in their scope
(the actor's token is passed on and verified there); every such read of a
petitioner's material is audited as other personal reads are. The public
never sees them; a petitioner sees the list of the files they attached.
"""
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone

import magic
from sqlalchemy import func, select

from core import events
from core.config import ATTACHMENT_MAX_BYTES
from core.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType
from services.intake.models import Attachment
from services.intake.petitions import audit, by_case_number, by_query_code
from services.intake.schemas import AttachmentSchema

# What a petition's material may be: photos, PDFs, office documents. The
# detected type and the extension a download is given.
ALLOWED_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
}
PETITIONER, STAFF = events.BY_PETITIONER, events.BY_STAFF
# Once a case is closed for good, a petitioner adds nothing more to it.
CLOSED_STATUSES = frozenset({"rejected", "declined"})
MAX_FILENAME = 100
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|]")


@dataclass(frozen=True)
class AttachmentPolicy:
    max_bytes: int
    max_files: int

    @classmethod
    def from_config(cls, config):
        return cls(int(config.get("ATTACHMENT_MAX_BYTES") or ATTACHMENT_MAX_BYTES),
                   int(config.get("ATTACHMENT_MAX_FILES") or 20))


def too_large(max_bytes):
    return PayloadTooLarge(f"a file may be at most {max_bytes} bytes",
                           {"file": [f"文件不能超过 {max_bytes} 字节 / at most {max_bytes} bytes"]})


def detected_type(data):
    """The MIME type of ``data`` from its content, or UnsupportedMediaType."""
    if not data:
        raise InvalidInput("the file is empty", {"file": ["文件为空 / the file is empty"]})
    kind = magic.from_buffer(data, mime=True)
    if kind not in ALLOWED_TYPES:
        raise UnsupportedMediaType(
            "only photos, PDF and office documents may be attached",
            {"file": [f"不支持的文件类型 {kind[:40]}，仅限图片、PDF 和办公文档 / "
                      "only images, PDF and office documents"]})
    return kind


def safe_filename(name, kind):
    """A name to show and to save under: no path, no control or reserved
    characters, at most MAX_FILENAME characters, ending in the type's extension."""
    extension = ALLOWED_TYPES[kind]
    name = _UNSAFE_NAME.sub("_", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    stem = name[:-len(extension)] if name.lower().endswith(extension) else name
    return (stem or "attachment")[:MAX_FILENAME - len(extension)] + extension


def add_by_petitioner(tx, query_code, data, filename, case, settings, blobs, now=None):
    """The petitioner attaches a file to their case (by query code). ``case``
    is tracking's public view of it (or None before tracking has it)."""
    petition = by_query_code(tx, query_code, settings)
    refuse_if_closed(case, "补充材料", "material")
    return _add(tx, petition, data, filename, PETITIONER, None, settings, blobs, now)


def refuse_if_closed(case, doing_zh, doing_en):
    """Conflict if tracking's view of the case (None: not there yet, so open)
    says it is closed for good: the petitioner adds nothing more to it."""
    if case and (case.get("final") or case.get("status") in CLOSED_STATUSES):
        raise Conflict(f"the case is closed ({case.get('status')}); no {doing_en} can be added",
                       {"status": [f"案件已{'终结' if case.get('final') else '办结'}，"
                                   f"不能再{doing_zh} / the case is closed"]})


def add_by_staff(tx, case_number, data, filename, actor, settings, blobs, now=None):
    """Staff of the case (tracking checked the scope) add a file to it."""
    return _add(tx, by_case_number(tx, case_number), data, filename, actor["username"],
                actor["unit_code"], settings, blobs, now)


def _add(tx, petition, data, filename, added_by, unit_code, settings, blobs, now):
    policy = settings.attachments
    if len(data) > policy.max_bytes:
        raise too_large(policy.max_bytes)
    kind = detected_type(data)
    digest = hashlib.sha256(data).hexdigest()
    # Serialises uploads to one petition: the count below stays true.
    tx.session.refresh(petition, with_for_update=True)
    same = tx.session.scalar(select(Attachment).where(
        Attachment.petition_id == petition.id, Attachment.sha256 == digest))
    if same is not None:
        return _view(same, settings)
    count = tx.session.scalar(select(func.count()).select_from(Attachment).where(
        Attachment.petition_id == petition.id))
    if count >= policy.max_files:
        raise Conflict(f"a case holds at most {policy.max_files} files",
                       {"file": [f"每件最多 {policy.max_files} 个文件 / "
                                 f"at most {policy.max_files} files a case"]})
    name = safe_filename(filename, kind)
    attachment = Attachment(
        petition_id=petition.id, filename_encrypted=settings.cipher.encrypt(name),
        content_type=kind, size=len(data), sha256=digest, blob_key=blobs.put(data),
        added_by=added_by, unit_code=unit_code, added_at=now or datetime.now(timezone.utc))
    tx.session.add(attachment)
    tx.session.flush()
    tx.emit(events.MATERIAL_ADDED, case_number=petition.case_number,
            area_code=petition.area_code, unit_code=unit_code,
            added_by=PETITIONER if unit_code is None else STAFF,
            content_type=kind, size=len(data))
    return _view(attachment, settings)


def petitioner_list(tx, query_code, settings):
    """The files the petitioner attached (not those staff added)."""
    petition = by_query_code(tx, query_code, settings)
    return [_view(a, settings) for a in _of(tx, petition) if a.unit_code is None]


def staff_list(tx, case_number, actor, settings):
    """Every file of the case, for its staff (tracking checked the scope);
    the names are the petitioner's material: audited."""
    petition = by_case_number(tx, case_number)
    audit(tx, petition, actor["username"], "list_attachments")
    return [_view(a, settings) for a in _of(tx, petition)]


def download(tx, case_number, attachment_id, actor, settings, blobs):
    """One file's bytes and what to call it, for the case's staff; audited."""
    petition = by_case_number(tx, case_number)
    attachment = tx.session.scalar(select(Attachment).where(
        Attachment.id == attachment_id, Attachment.petition_id == petition.id))
    if attachment is None:
        raise NotFound(f"no attachment {attachment_id} on case {case_number}")
    # The blob read before the audit row: its insert takes SQLite's write lock,
    # held until the commit, which is not then kept waiting for the blob store.
    content = blobs.get(attachment.blob_key)
    audit(tx, petition, actor["username"], f"download_attachment:{attachment.id}")
    return {**_view(attachment, settings), "content": content}


def _of(tx, petition):
    return tx.session.scalars(select(Attachment).where(
        Attachment.petition_id == petition.id).order_by(Attachment.id))


def _view(attachment, settings):
    return AttachmentSchema().dump(dict(
        id=attachment.id, filename=settings.cipher.decrypt(attachment.filename_encrypted),
        content_type=attachment.content_type, size=attachment.size,
        added_by=PETITIONER if attachment.unit_code is None else STAFF,
        unit_code=attachment.unit_code, added_at=attachment.added_at))
