"""The case-material routes over real HTTP, intake replaced by a stand-in
that keeps what it is given (base64, as over RPC) and answers as intake does:
each file's view dumped in intake's AttachmentSchema, which the gateway sends
on as it comes."""
import base64

import pytest
import requests

from core.actors import ActorVerifier
from core.config import ATTACHMENT_MAX_BYTES
from core.errors import NotFound
from deploy.keys import new_secrets
from services.intake.schemas import AttachmentSchema
from tests.kit import bearer, stood_in

KEYS = new_secrets()
VERIFY = ActorVerifier(KEYS["ACTOR_VERIFY_KEY"]).verify
HANDLER = {"username": "lixia_housing", "unit_code": "370102-ZJJ", "unit_name": "历下区住建局",
           "role": "handler", "area_code": "370102"}
CODE = "K7M2-9QXD-4HTR-8WPA"
CASE = "JN20261125-000001"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


class Intake:
    def __init__(self):
        self.files = []

    def _keep(self, content, filename, added_by, unit_code=None):
        self.files.append(base64.b64decode(content))
        return AttachmentSchema().dump({
            "id": len(self.files), "filename": filename or "attachment.png",
            "content_type": "image/png", "size": len(self.files[-1]),
            "added_by": added_by, "unit_code": unit_code,
            "added_at": "2026-11-25T08:00:00+00:00", "blob_key": "never-shown"})

    def add_material(self, query_code, content, filename=None):
        if query_code != CODE:
            raise NotFound("no petition with this query code")
        return self._keep(content, filename, "petitioner")

    def materials(self, query_code):
        return []

    def add_case_material(self, case_number, content, actor, filename=None):
        return self._keep(content, filename, "staff", VERIFY(actor)["unit_code"])

    def case_materials(self, case_number, actor):
        VERIFY(actor)
        return []

    def case_material(self, case_number, attachment_id, actor):
        VERIFY(actor)
        return {"id": attachment_id, "filename": "漏水 照片.png", "content_type": "image/png",
                "size": len(self.files[attachment_id - 1]), "added_by": "petitioner",
                "unit_code": None, "added_at": "2026-11-25T08:00:00+00:00",
                "content": base64.b64encode(self.files[attachment_id - 1]).decode()}


intake, url = stood_in(KEYS, intake=Intake)


@pytest.fixture
def staff():
    return bearer(KEYS, HANDLER)


def test_a_petitioner_uploads_a_file_as_the_body(url, intake):
    response = requests.post(f"{url}/petitions/{CODE}/attachments", params={"filename": "漏水.png"},
                             data=PNG, headers={"Content-Type": "image/png"}, timeout=10)
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "漏水.png"
    assert "blob_key" not in response.json()  # only what the schema names
    assert intake.files == [PNG]
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data; boundary=x",
                                          "text/plain", "text/html", None])
def test_only_a_file_type_as_content_type(url, content_type, intake):
    headers = {"Content-Type": content_type} if content_type else {}
    response = requests.post(f"{url}/petitions/{CODE}/attachments", data=PNG,
                             headers=headers, timeout=10)
    assert response.status_code == 415
    assert "Content-Type" in response.json()["details"]
    assert intake.files == []


def test_too_large_and_empty_bodies_are_refused_unread(url, intake):
    big = requests.post(f"{url}/petitions/{CODE}/attachments", data=b"\0" * (ATTACHMENT_MAX_BYTES + 1),
                        headers={"Content-Type": "application/pdf"}, timeout=30)
    assert big.status_code == 413 and "file" in big.json()["details"]
    empty = requests.post(f"{url}/petitions/{CODE}/attachments", data=b"",
                          headers={"Content-Type": "application/pdf"}, timeout=10)
    assert empty.status_code == 400 and "file" in empty.json()["details"]
    assert intake.files == []


def test_unknown_query_code_is_404(url):
    response = requests.post(f"{url}/petitions/0000-0000-0000-0000/attachments", data=PNG,
                             headers={"Content-Type": "image/png"}, timeout=10)
    assert response.status_code == 404


def test_staff_routes_need_a_token(url):
    for method, path in (("GET", f"/cases/{CASE}/attachments"), ("GET", f"/cases/{CASE}/attachments/1"),
                         ("POST", f"/cases/{CASE}/attachments")):
        response = requests.request(method, url + path, data=PNG,
                                    headers={"Content-Type": "image/png"}, timeout=10)
        assert response.status_code == 401, path


def test_staff_add_list_and_download_with_the_name_kept(url, staff, intake):
    added = requests.post(f"{url}/cases/{CASE}/attachments", data=PNG,
                          headers={**staff, "Content-Type": "application/octet-stream"}, timeout=10)
    assert added.status_code == 201 and added.json()["unit_code"] == "370102-ZJJ"
    assert requests.get(f"{url}/cases/{CASE}/attachments", headers=staff, timeout=10).json() == []
    file = requests.get(f"{url}/cases/{CASE}/attachments/1", headers=staff, timeout=10)
    assert file.status_code == 200 and file.content == PNG
    assert file.headers["Content-Type"] == "image/png"
    assert file.headers["Cache-Control"] == "no-store"
    assert file.headers["X-Content-Type-Options"] == "nosniff"
    assert file.headers["Content-Disposition"] == (
        "attachment; filename=\"__ __.png\"; filename*=UTF-8''%E6%BC%8F%E6%B0%B4%20%E7%85%A7%E7%89%87.png")


def test_the_routes_are_in_the_openapi_document(url):
    paths = requests.get(f"{url}/openapi.json", timeout=10).json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/petitions/{query_code}/attachments"])
    assert "get" in paths["/api/v1/cases/{case_number}/attachments/{attachment_id}"]
