"""What the petitioner receives. The query-code text is the only one that ever
carries the query code; status texts point the petitioner back to it."""
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
}


def render(template, event):
    """The text of ``template`` filled from the (loaded) event's fields."""
    values = dict(event)
    if "due_date" in values:
        due = values["due_date"]
        values["due_date"] = f"{due.year}年{due.month}月{due.day}日"
    return TEMPLATES[template].format_map(values)
