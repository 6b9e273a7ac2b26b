"""Routing rules as data a bureau reads and changes: (category, area) -> the
unit and the track. ``routing.py`` applies them; this module administers them.
"""
from sqlalchemy import select

from core.errors import InvalidInput
from core.validation import load
from services.routing import directory
from services.routing.models import Category, RoutingRule, Unit
from services.routing.schemas import RuleSchema, SetRuleSchema


def rules(tx):
    rows = tx.session.execute(
        select(RoutingRule, Unit.name_zh).join(Unit, Unit.code == RoutingRule.unit_code)
        .order_by(RoutingRule.category, RoutingRule.area_code)).all()
    return [_rule_view(rule, unit_name) for rule, unit_name in rows]


def set_rule(tx, category, area_code, unit_code, track):
    """Add or change the rule for (category, area_code)."""
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
    rule.unit_code, rule.track = unit.code, data["track"]
    session.flush()
    return _rule_view(rule, unit.name_zh)


def _rule_view(rule, unit_name):
    return RuleSchema().dump({"category": rule.category, "area_code": rule.area_code,
                              "unit_code": rule.unit_code, "unit_name": unit_name,
                              "track": rule.track})
