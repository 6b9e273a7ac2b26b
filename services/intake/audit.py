"""Reads of petitioners' personal data: the audited "show" of a petitioner's
unmasked data to staff allowed it, and the audit log a bureau reads (who read
whose record, when, from which case). Every read, masked or not, writes an
AuditEntry (petitions.audit)."""

from sqlalchemy import select

from core.errors import Conflict, Forbidden
from core.privacy import mask_name
from core.roles import BUREAU_ROLES, REVEAL_ROLES, jurisdiction_prefix
from core.validation import load
from services.intake.models import AuditEntry, Petition
from services.intake.petitions import audit, by_case_number, identity
from services.intake.schemas import PersonalReadSchema, ReadsFilterSchema, RevealedSchema

REVEALED = "revealed_to_staff"


def reveal(tx, case_number, actor, settings):
    """The petitioner's name, ID number and phone in full, for a role that
    handles or supervises cases (core.roles.REVEAL_ROLES); the read is
    audited. The service entrypoint has asked tracking whether the case is in
    the actor's scope (case_scope, on the actor's own token); here the role,
    and for a bureau that the petition's area is in its jurisdiction."""
    if actor["role"] not in REVEAL_ROLES:
        raise Forbidden("this role may not see a petitioner's personal data",
                        {"role": ["无权查看信访人个人信息"]})
    petition = _petition_in_jurisdiction(tx, case_number, actor)
    clear = identity(petition, settings)
    if clear is None:
        raise Conflict(f"the petitioner's personal data of {case_number} was erased at the end "
                       "of its retention period", {"case_number": ["信访人个人信息已按保存期限删除"]})
    audit(tx, petition, actor["username"], REVEALED)
    return RevealedSchema().dump({"case_number": petition.case_number, **clear})


def reads(tx, actor, filters, settings):
    """The audit log of personal-data reads in a bureau's jurisdiction, newest
    first: who read whose record (masked), when, from which case, how."""
    if actor["role"] not in BUREAU_ROLES:
        raise Forbidden("the audit log of personal-data reads is the bureau's",
                        {"role": ["仅信访部门可查看个人信息查阅记录"]})
    page = load(ReadsFilterSchema(), filters or {})
    query = (select(AuditEntry, Petition).join(Petition, Petition.id == AuditEntry.petition_id)
             .where(Petition.area_code.startswith(jurisdiction_prefix(actor["area_code"]))))
    if page["case_number"]:
        query = query.where(Petition.case_number == page["case_number"])
    if page["reader"]:
        query = query.where(AuditEntry.actor == page["reader"])
    query = query.order_by(AuditEntry.id.desc()).limit(page["limit"]).offset(page["offset"])
    return PersonalReadSchema(many=True).dump([
        {"at": entry.at.astimezone(settings.timezone), "reader": entry.actor,
         "action": entry.action, "case_number": petition.case_number,
         "petitioner": _masked_name(petition, settings)}
        for entry, petition in tx.session.execute(query)])


def _masked_name(petition, settings):
    clear = identity(petition, settings)
    return clear and mask_name(clear["name"])


def _petition_in_jurisdiction(tx, case_number, actor):
    petition = by_case_number(tx, case_number)
    if actor["role"] in BUREAU_ROLES and not petition.area_code.startswith(
            jurisdiction_prefix(actor["area_code"])):
        raise Forbidden("the case is outside the bureau's jurisdiction",
                        {"case_number": ["不在本部门辖区"]})
    return petition
