"""Personal-data retention, intake's part (core/retention.py): the petitioner's
identity, contact, words, messages (留言), consent record and files of a case, once tracking
says its period has passed. The files go from the blob store before the rows
(in the same transaction): a crash between the two leaves rows whose files are
gone, and the retried erasure deletes them; never a file nobody can find."""
from sqlalchemy import delete, select

from core import retention
from services.intake.models import Attachment, Erasure, Message, Petition, ProxyConsent


def erasers(blobs):
    """The erase functions of intake's tables; ``blobs`` None: count the files
    only (a dry run)."""
    def petitions(tx, case_number, fields):
        return retention.empty(tx.session, Petition, Petition.case_number == case_number, fields)

    def proxy_consents(tx, case_number, fields):
        return retention.empty(tx.session, ProxyConsent,
                               ProxyConsent.petition_id.in_(_petition_id(case_number)), fields)

    def messages(tx, case_number, fields):
        return retention.empty(tx.session, Message,
                               Message.petition_id.in_(_petition_id(case_number)), fields)

    def attachments(tx, case_number, fields):
        rows = tx.session.execute(select(Attachment.id, Attachment.blob_key).where(
            Attachment.petition_id.in_(_petition_id(case_number)))).all()
        if blobs is not None:
            for _, blob_key in rows:
                blobs.delete(blob_key)
        tx.session.execute(delete(Attachment).where(Attachment.id.in_([r.id for r in rows])))
        return {field: len(rows) for field in fields}

    found = {"petitions": petitions, "proxy_consents": proxy_consents, "messages": messages,
             "attachments": attachments}
    retention.check_erasers("intake", found)
    return found


def _petition_id(case_number):
    return select(Petition.id).where(Petition.case_number == case_number)


def erase(tx, blobs, event):
    return retention.erase(tx, "intake", Erasure, erasers(blobs), event["case_number"],
                           event["period"], event["final_at"])
