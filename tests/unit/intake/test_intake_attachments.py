"""Case materials through intake's entrypoints (worker_factory, real store,
real encrypted blob store in a temporary directory): types by content, limits,
the petitioner's and the staff's views, the scope asked of tracking with the
actor's own token, and the audit of every staff read."""
import base64
import io
import zipfile

import pytest
from sqlalchemy import select

from core.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType
from core.store import OutboxMessage
from services.intake.attachments import AttachmentPolicy, safe_filename
from tests.unit.intake.conftest import HANDLER, OTHER_UNIT, token

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
       b"\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
       b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def b64(data):
    return base64.b64encode(data).decode()


def docx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns='
                   '"http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("_rels/.rels", "<x/>")
        z.writestr("word/document.xml", "<w/>")
    return out.getvalue()


def test_petitioner_attaches_and_staff_of_the_case_list_and_download(
        service, receipt, signer, tracking, tmp_path):
    code, case_number = receipt["query_code"], receipt["case_number"]
    photo = service.add_material(code, b64(PNG), "C:\\Users\\张三\\漏水照片.PNG")
    assert (photo["filename"], photo["content_type"], photo["size"], photo["added_by"]) == (
        "漏水照片.png", "image/png", len(PNG), "petitioner")
    letter = service.add_material(code, b64(docx()), "情况说明.pdf")  # the name lies
    assert (letter["content_type"], letter["filename"]) == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "情况说明.pdf.docx")
    # the same file again (a retried upload) is the same attachment
    assert service.add_material(code, b64(PNG), "again.png")["id"] == photo["id"]

    staff = token(signer, HANDLER)
    reply = service.add_case_material(case_number, b64(PDF), staff, "答复意见书")
    assert (reply["added_by"], reply["unit_code"]) == ("staff", "370102-ZJJ")

    assert [a["id"] for a in service.materials(code)] == [photo["id"], letter["id"]]
    assert [a["id"] for a in service.case_materials(case_number, staff)] == [
        photo["id"], letter["id"], reply["id"]]
    found = service.case_material(case_number, photo["id"], staff)
    assert base64.b64decode(found["content"]) == PNG
    assert tracking.scope_asks == ["lixia_housing"] * 3  # asked with the actor's own token
    # of the tracking that holds the case: found by its area (core/areas.holder)
    assert tracking.areas == ["370102"] * 6

    assert [(e["actor"], e["action"]) for e in service.audit_log(case_number)] == [
        ("lixia_housing", "list_attachments"),
        ("lixia_housing", f"download_attachment:{photo['id']}")]
    # at rest: neither the file nor its name in clear
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert PNG not in stored and b"IHDR" not in stored


def test_staff_outside_the_case_scope_see_nothing(service, receipt, signer):
    service.add_material(receipt["query_code"], b64(PNG), "a.png")
    other = token(signer, OTHER_UNIT)
    for call in (lambda: service.case_materials(receipt["case_number"], other),
                 lambda: service.case_material(receipt["case_number"], 1, other),
                 lambda: service.add_case_material(receipt["case_number"], b64(PDF), other)):
        with pytest.raises(NotFound):
            call()
    assert service.audit_log(receipt["case_number"]) == []


@pytest.mark.parametrize("data, error, field", [
    (b"<html><script>alert(1)</script></html>", UnsupportedMediaType, "file"),
    (b"MZ\x90\x00\x03" + b"\x00" * 200, UnsupportedMediaType, "file"),  # a program
    (b"", InvalidInput, "file"),
])
def test_only_photos_pdf_and_office_documents_by_content(service, receipt, data, error, field):
    with pytest.raises(error) as caught:
        service.add_material(receipt["query_code"], b64(data), "photo.jpg")
    assert field in caught.value.details


def test_size_and_count_limits_and_bad_base64(service, receipt, settings):
    code = receipt["query_code"]
    small = AttachmentPolicy(max_bytes=len(PNG) + 10, max_files=2)
    object.__setattr__(settings, "attachments", small)
    with pytest.raises(PayloadTooLarge):
        service.add_material(code, b64(PDF + b"x" * 200), "big.pdf")
    with pytest.raises(InvalidInput) as caught:
        service.add_material(code, "not base64!", "x.pdf")
    assert "file" in caught.value.details
    service.add_material(code, b64(PDF), "1.pdf")
    service.add_material(code, b64(PNG), "2.png")
    with pytest.raises(Conflict) as caught:
        service.add_material(code, b64(PDF + b"%2"), "3.pdf")
    assert "at most 2 files" in caught.value.message


@pytest.mark.parametrize("status, final", [("declined", False), ("concluded", True)])
def test_no_material_once_the_case_is_closed(service, receipt, tracking, status, final):
    tracking.status, tracking.final = status, final
    with pytest.raises(Conflict) as caught:
        service.add_material(receipt["query_code"], b64(PNG), "a.png")
    assert "status" in caught.value.details


def test_an_unknown_query_code_is_not_found(service):
    with pytest.raises(NotFound):
        service.add_material("0000-0000-0000-0000", b64(PNG), "a.png")
    with pytest.raises(NotFound):
        service.materials("0000-0000-0000-0000")


def test_the_event_says_who_and_what_kind_never_the_name(service, receipt, engine):
    service.add_material(receipt["query_code"], b64(PNG), "张三身份证.png")
    with engine.connect() as conn:
        payload = conn.execute(select(OutboxMessage.payload).where(
            OutboxMessage.routing_key == "material_added")).scalar_one()
    assert (payload["added_by"], payload["content_type"], payload["unit_code"]) == (
        "petitioner", "image/png", None)
    assert "张三" not in str(payload)


@pytest.mark.parametrize("name, kind, expected", [
    ("../../etc/passwd", "application/pdf", "passwd.pdf"),
    ('a"b<c>.JPG', "image/jpeg", "a_b_c_.jpg"),
    ("", "image/png", "attachment.png"),
    ("长" * 300, "application/pdf", "长" * 96 + ".pdf"),
])
def test_safe_filenames(name, kind, expected):
    assert safe_filename(name, kind) == expected
