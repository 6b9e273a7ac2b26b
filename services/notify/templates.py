"""What the petitioner receives. The query-code text is the only one that ever
carries the query code; status texts point the petitioner back to it."""
from datetime import date

QUERY_CODE = "query_code"
PHONE_CODE = "phone_code"

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
    "review_answered": "【济南网上信访】您的信访事项（案件编号{case_number}）的{level_name}意见已作出，"
                       "请凭查询码查看。",
}
LEVEL_NAMES = {"review": "复查", "rereview": "复核"}


def render(template, event):
    """The text of ``template`` filled from the (loaded) event's fields."""
    values = {key: f"{v.year}年{v.month}月{v.day}日" if isinstance(v, date) else v
              for key, v in event.items()}
    if "level" in values:
        values["level_name"] = LEVEL_NAMES[values["level"]]
    return TEMPLATES[template].format_map(values)
