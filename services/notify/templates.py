"""What the petitioner receives, and what a unit's mailbox receives. The
query-code text is the only one that ever carries the query code; status
texts point the petitioner back to it. Staff texts (their first line is the
email's subject) carry only what the public event carries: no personal data."""
from datetime import date

QUERY_CODE = "query_code"
PHONE_CODE = "phone_code"
# People's suggestions: the suggestions service writes its own texts (its workflow table).
PROPOSER_TEXT = "proposer_text"
# The unit answered the petitioner's message (留言): the text points to the
# follow page and never carries the message (no event does).
MESSAGE_ANSWERED = "message_answered"

TEMPLATES = {
    PHONE_CODE: "【济南网上信访】您的验证码为{code}，仅用于提交信访事项，请勿告诉他人。",
    QUERY_CODE: "【济南网上信访】您的信访事项已提交，案件编号{case_number}，查询码{query_code}。"
                "请妥善保管查询码，凭此查询办理进度并评价。",
    "petition_routed": "【济南网上信访】您的信访事项（案件编号{case_number}）已转交{unit_name}办理，"
                       "办理期限至{due_date}。",
    "petition_rejected": "【济南网上信访】您的信访事项（案件编号{case_number}）未予受理。"
                         "原因：{reason}。建议：{channel}。",
    "case_replied": "【济南网上信访】您的信访事项（案件编号{case_number}）已答复，请凭查询码查看并评价。",
    "case_concluded": "【济南网上信访】您的信访事项（案件编号{case_number}）已办结。",
    "case_declined": "【济南网上信访】您的信访事项（案件编号{case_number}）不予受理。原因：{reason}。",
    "extension_approved": "【济南网上信访】您的信访事项（案件编号{case_number}）经批准延期办理，"
                          "办理期限延至{until}。原因：{reason}。",
    "case_special": "【济南网上信访】您的信访事项（案件编号{case_number}）由济南市信访局专案办理，"
                    "办理期限至{due_date}。",
    "case_escalated": "【济南网上信访】您的信访事项（案件编号{case_number}）已提级办理，办理期限至{due_date}。",
    "material_requested": "【济南网上信访】您的信访事项（案件编号{case_number}）需补充材料，请于{due_date}前"
                          "凭查询码查看所需材料并上传。补充期间办理期限不变。",
    MESSAGE_ANSWERED: "【济南网上信访】责任单位已答复您的留言（案件编号{case_number}），"
                      "请凭查询码在查询页查看。",
    "review_answered": "【济南网上信访】您的信访事项（案件编号{case_number}）的{level_name}意见已作出，"
                       "请凭查询码查看。",
}
LEVEL_NAMES = {"review": "复查", "rereview": "复核"}

# Staff notifications by email, one per event type (template "staff_<event type>").
STAFF = "staff_"
_SIGN_IN = "请登录网上信访工作平台办理。"
STAFF_TEMPLATES = {
    STAFF + "petition_routed": "新信访事项：{case_number}\n{unit_name}：\n信访事项{case_number}"
                               "（类别{category}）已交由你单位办理，办理期限至{due_date}。" + _SIGN_IN,
    STAFF + "case_due_soon": "即将到期：{case_number}\n信访事项{case_number}的{deadline_name}期限"
                             "将于{due_date}到期。" + _SIGN_IN,
    STAFF + "case_overdue": "已超期：{case_number}\n信访事项{case_number}的{deadline_name}期限"
                            "已于{due_date}届满，现已超期。" + _SIGN_IN,
    STAFF + "supervision_opened": "督办：{case_number}\n信访事项{case_number}已被督办。"
                                  "原因：{reason}。" + _SIGN_IN,
    STAFF + "webhook_paused": "Webhook已暂停：{url}\n你单位登记的接收地址{url}连续{failures}次"
                              "未能接收推送，已暂停推送。请修复后在平台恢复。",
}
DEADLINE_NAMES = {"accept": "受理", "conclude": "办结", "part": "协办",
                  "supervision_answer": "督办答复", "review_answer": "复查答复"}


def render(template, event):
    """The text of ``template`` filled from the (loaded) event's fields."""
    values = {key: f"{v.year}年{v.month}月{v.day}日" if isinstance(v, date) else v
              for key, v in event.items()}
    if "level" in values:
        values["level_name"] = LEVEL_NAMES[values["level"]]
    if "deadline" in values:
        values["deadline_name"] = DEADLINE_NAMES.get(values["deadline"], values["deadline"])
    return {**TEMPLATES, **STAFF_TEMPLATES}[template].format_map(values)
