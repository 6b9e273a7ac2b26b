"""Routing rules as data a bureau reads and changes: (category, area) -> the
unit and the track. ``routing.py`` applies them; this module administers them.
"""
from sqlalchemy import select

from core.errors import Forbidden, InvalidInput
from core.roles import BUREAU_ROLES, jurisdiction_prefix
from core.validation import load
from services.routing import directory
from services.routing.models import Category, RoutingRule, RuleChange, Unit
from services.routing.schemas import RuleChangeSchema, RuleSchema, SetRuleSchema


def rules(tx):
    rows = tx.session.execute(
        select(RoutingRule, Unit.name_zh).join(Unit, Unit.code == RoutingRule.unit_code)
        .order_by(RoutingRule.category, RoutingRule.area_code)).all()
    return [_rule_view(rule, unit_name) for rule, unit_name in rows]


def change_rule(tx, actor, rule):
    """A bureau's change of a rule for an area of its jurisdiction, recorded
    with who made it and what the rule was before."""
    _bureau(actor)
    area_code = rule.get("area_code") if isinstance(rule, dict) else None
    if isinstance(area_code, str) and not area_code.startswith(
            jurisdiction_prefix(actor["area_code"])):
        raise Forbidden("the area is outside the bureau's jurisdiction",
                        {"area_code": ["不在本部门辖区"]})
    rule = rule if isinstance(rule, dict) else {}
    return set_rule(tx, rule.get("category"), area_code, rule.get("unit_code"),
                    rule.get("track"), changed_by=actor["username"])


def changes(tx, actor, limit=200):
    """The latest rule changes in the bureau's jurisdiction, newest first."""
    _bureau(actor)
    rows = tx.session.scalars(
        select(RuleChange).where(RuleChange.area_code.startswith(
            jurisdiction_prefix(actor["area_code"])))
        .order_by(RuleChange.id.desc()).limit(limit))
    return RuleChangeSchema(many=True).dump([{
        "at": c.at, "changed_by": c.changed_by, "category": c.category,
        "area_code": c.area_code, "after": {"unit_code": c.after_unit_code, "track": c.after_track},
        "before": c.before_unit_code and {"unit_code": c.before_unit_code,
                                          "track": c.before_track}} for c in rows])


def _bureau(actor):
    if actor["role"] not in BUREAU_ROLES:
        raise Forbidden("routing rules are changed by a petition bureau",
                        {"role": ["仅信访部门可修改分派规则"]})


def set_rule(tx, category, area_code, unit_code, track, changed_by=None):
    """Add or change the rule for (category, area_code); with ``changed_by``
    the change is recorded (RuleChange)."""
    data = load(SetRuleSchema(), {"category": category, "area_code": area_code,
                                  "unit_code": unit_code, "track": track})
    session = tx.session
    errors = {}
    found_category = session.get(Category, data["category"])
    if found_category is None:
        errors["category"] = ["未知的类别"]
    elif found_category.rejection_reason:
        errors["category"] = ["该类别的事项不予受理，不能设置分派规则"]
    try:
        chain = directory.area_chain(session, data["area_code"])
    except directory.DirectoryMismatch:
        chain = None
        errors["area_code"] = ["未知的地区"]
    unit = session.get(Unit, data["unit_code"])
    if unit is None:
        errors["unit_code"] = ["未知的单位"]
    elif chain and unit.area_code not in {a.code for a in chain}:
        errors["unit_code"] = ["该单位不负责此地区"]
    if errors:
        raise InvalidInput("分派规则无效", errors)

    rule = session.scalars(select(RoutingRule).where(
        RoutingRule.category == data["category"],
        RoutingRule.area_code == data["area_code"])).first()
    if rule is None:
        rule = RoutingRule(category=data["category"], area_code=data["area_code"])
        session.add(rule)
    if changed_by is not None:
        session.add(RuleChange(changed_by=changed_by, category=data["category"],
                               area_code=data["area_code"], before_unit_code=rule.unit_code,
                               before_track=rule.track, after_unit_code=unit.code,
                               after_track=data["track"]))
    rule.unit_code, rule.track = unit.code, data["track"]
    session.flush()
    return _rule_view(rule, unit.name_zh)


def _rule_view(rule, unit_name):
    return RuleSchema().dump({"category": rule.category, "area_code": rule.area_code,
                              "unit_code": rule.unit_code, "unit_name": unit_name,
                              "track": rule.track})
