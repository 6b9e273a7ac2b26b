"""The audited "show" of a petitioner's data and the bureau's audit log of
personal-data reads, through intake's entrypoints on a real store."""
import pytest
from nameko.testing.services import worker_factory

from core.actors import Actor
from core.errors import Forbidden, InvalidInput, NotFound
from services.intake.service import IntakeService
from tests.kit import prove_phone


def actor(**claims):
    """A verified actor as @staff_rpc hands it over; its token here is its username."""
    return Actor(claims, claims["username"])


HANDLER = actor(username="lixia_housing", role="handler", unit_code="370102-ZJJ",
                area_code="370102")
OTHER_HANDLER = actor(username="shizhong_housing", role="handler", unit_code="370103-ZJJ",
                      area_code="370103")
LIXIA_BUREAU = actor(username="lixia_bureau", role="bureau_supervisor",
                     unit_code="370102-XFJ", area_code="370102")
SHIZHONG_BUREAU = actor(username="shizhong_bureau", role="bureau_supervisor",
                        unit_code="370103-XFJ", area_code="370103")
ADMIN = actor(**{**LIXIA_BUREAU, "username": "lixia_admin", "role": "bureau_admin"})
AGENT = actor(username="jiefanglu_agent", role="grid_agent", unit_code="370102001-JDB",
              area_code="370102001")


class Tracking:
    """tracking's case_scope: the case is not in shizhong_housing's scope."""

    def case_scope(self, case_number, token):
        if token == "shizhong_housing":
            raise NotFound(f"case {case_number} not found")
        return {"case_number": case_number}


@pytest.fixture
def service(store, settings, reference):
    return worker_factory(IntakeService, store=store, settings=settings,
                          reference_data=lambda: reference, tracking=lambda area_code: Tracking())


@pytest.fixture
def case_number(service, store, settings, submission):
    return service.submit(prove_phone(store, settings, submission))["case_number"]


def test_show_gives_the_data_in_full_and_is_audited(service, case_number):
    shown = service.reveal_petitioner(case_number, HANDLER)
    assert shown == {"case_number": case_number, "name": "张三丰",
                     "id_number": "370102199003071238", "phone": "13812345678"}
    service.petitioner(case_number, LIXIA_BUREAU)
    log = service.personal_data_reads(LIXIA_BUREAU)
    assert [(r["reader"], r["action"], r["case_number"], r["petitioner"]) for r in log] == [
        ("lixia_bureau", "read_by_staff", case_number, "张**"),
        ("lixia_housing", "revealed_to_staff", case_number, "张**")]
    assert log[0]["at"].endswith("+08:00")
    assert [r["reader"] for r in service.personal_data_reads(
        LIXIA_BUREAU, {"reader": "lixia_housing"})] == ["lixia_housing"]
    assert service.personal_data_reads(LIXIA_BUREAU, {"case_number": "JN20000101-000001"}) == []


@pytest.mark.parametrize("actor", [ADMIN, AGENT])
def test_roles_that_do_not_handle_cases_may_not_show(service, case_number, actor):
    with pytest.raises(Forbidden):
        service.reveal_petitioner(case_number, actor)
    assert service.personal_data_reads(LIXIA_BUREAU) == []  # nothing read, nothing logged


def test_a_bureau_shows_and_reads_only_its_jurisdiction(service, case_number):
    with pytest.raises(NotFound):  # tracking says the case is not theirs
        service.reveal_petitioner(case_number, OTHER_HANDLER)
    with pytest.raises(Forbidden):
        service.reveal_petitioner(case_number, SHIZHONG_BUREAU)
    service.reveal_petitioner(case_number, LIXIA_BUREAU)
    assert service.personal_data_reads(SHIZHONG_BUREAU) == []
    assert len(service.personal_data_reads(LIXIA_BUREAU)) == 1


def test_the_audit_log_is_the_bureaus_and_its_filters_are_checked(service, case_number):
    with pytest.raises(Forbidden):
        service.personal_data_reads(HANDLER)
    with pytest.raises(InvalidInput) as raised:
        service.personal_data_reads(LIXIA_BUREAU, {"limit": 0, "case_number": "x" * 30})
    assert set(raised.value.details) == {"limit", "case_number"}
