"""The seeded org directory of Jinan: areas, units, categories, routing rules
and demo staff accounts.

Seeding is idempotent: directory rows (areas, units, categories) are brought in
line with this file; rules and staff accounts are only added when missing, so
re-seeding never undoes an admin's rule change or a changed password.
"""
import csv
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import select

from core.roles import BUREAU_ADMIN, BUREAU_SUPERVISOR, GRID_AGENT, HANDLER
from services.routing.auth import one_time_password
from services.routing.models import Area, Category, RoutingRule, StaffAccount, Unit

DATA = Path(__file__).resolve().parent / "data"
CITY = "370100"

# Towns and streets (镇办). SAMPLE: a handful to show the 9-digit level; the codes
# follow the national pattern (district code + 3 digits) but are illustrative,
# not taken from the official division code table.
TOWNS = [
    ("370102001", "解放路街道", "Jiefanglu Subdistrict", "370102"),
    ("370102002", "千佛山街道", "Qianfoshan Subdistrict", "370102"),
    ("370103001", "大观园街道", "Daguanyuan Subdistrict", "370103"),
    ("370114001", "明水街道", "Mingshui Subdistrict", "370114"),
]

# Functional departments (职能部门) by the category they answer for; the
# abbreviation makes the unit code, e.g. 370100-ZJJ.
DEPARTMENTS = {
    "housing": ("ZJJ", "住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    "labor": ("RSJ", "人力资源和社会保障局", "Human Resources and Social Security Bureau"),
    "environment": ("STHJJ", "生态环境局", "Ecology and Environment Bureau"),
    "land": ("ZRZYJ", "自然资源和规划局", "Natural Resources and Planning Bureau"),
    "transport": ("JTYSJ", "交通运输局", "Transport Bureau"),
    "market": ("SCJGJ", "市场监督管理局", "Market Supervision Administration"),
    "education": ("JYJ", "教育局", "Education Bureau"),
    "health": ("WJW", "卫生健康委员会", "Health Commission"),
    "urban_management": ("CGJ", "城市管理局", "Urban Management Bureau"),
    "public_security": ("GAJ", "公安局", "Public Security Bureau"),
}
# District-level departments: (area, category).
DISTRICT_DEPARTMENTS = [("370102", "housing"), ("370114", "labor")]

SPECIAL_CASE_CATEGORIES = {"land"}  # 专案专办: the city bureau coordinates

TOWN_OFFICE = ("370102001-JDB", "解放路街道办事处", "Jiefanglu Subdistrict Office", "370102001")
TOWN_RULES = [("housing", "370102001"), ("urban_management", "370102001")]

# username -> (unit code, role)
DEMO_STAFF = {
    "city_bureau": ("370100-XFJ", BUREAU_SUPERVISOR),
    "city_admin": ("370100-XFJ", BUREAU_ADMIN),
    "lixia_bureau": ("370102-XFJ", BUREAU_SUPERVISOR),
    "lixia_admin": ("370102-XFJ", BUREAU_ADMIN),  # staff accounts of 历下区
    "city_housing": ("370100-ZJJ", HANDLER),
    "lixia_housing": ("370102-ZJJ", HANDLER),
    "zhangqiu_hrss": ("370114-RSJ", HANDLER),
    "jiefanglu_office": ("370102001-JDB", HANDLER),
    # a grid agent (信访代理员) of 解放路街道: submits for citizens of the street
    "jiefanglu_agent": ("370102001-JDB", GRID_AGENT),
}


def districts():
    with open(DATA / "jinan-districts.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def areas():
    rows = [Area(code=r["code"], name_zh=r["name_zh"], name_en=r["name_en"],
                 level=r["level"], parent=r["parent"]) for r in districts()]
    rows += [Area(code=code, name_zh=zh, name_en=en, level="town", parent=parent)
             for code, zh, en, parent in TOWNS]
    return rows


def units():
    city_bureau = f"{CITY}-XFJ"
    rows = [Unit(code=city_bureau, name_zh="济南市信访局", name_en="Jinan Petition Bureau",
                 kind="petition_bureau", area_code=CITY)]
    names = {}
    for d in districts():
        names[d["code"]] = (d["name_zh"], d["name_en"])
        if d["code"] != CITY:
            rows.append(Unit(code=f"{d['code']}-XFJ", name_zh=f"{d['name_zh']}信访局",
                             name_en=f"{d['name_en']} Petition Bureau", kind="petition_bureau",
                             area_code=d["code"], parent=city_bureau))
    for abbr, zh, en in DEPARTMENTS.values():
        rows.append(Unit(code=f"{CITY}-{abbr}", name_zh=f"济南市{zh}", name_en=f"Jinan {en}",
                         kind="department", area_code=CITY))
    for area_code, category in DISTRICT_DEPARTMENTS:
        abbr, zh, en = DEPARTMENTS[category]
        area_zh, area_en = names[area_code]
        rows.append(Unit(code=f"{area_code}-{abbr}", name_zh=f"{area_zh}{zh}",
                         name_en=f"{area_en} {en}", kind="department", area_code=area_code,
                         parent=f"{CITY}-{abbr}"))
    code, zh, en, area_code = TOWN_OFFICE
    rows.append(Unit(code=code, name_zh=zh, name_en=en, kind="town_office", area_code=area_code))
    return rows


def categories():
    """The categories (data/jinan-categories.csv), in the order the citizens'
    page lists them: the default track when no rule applies (consultation has
    no rule: the area's petition bureau answers it the same day), what each
    covers in plain words (GET /categories shows it under the category
    chosen), and for a category the petition channel does not take, the
    reason and the channel to turn to instead (empty for the others)."""
    with open(DATA / "jinan-categories.csv", encoding="utf-8", newline="") as f:
        return [Category(code=r["code"], name_zh=r["name_zh"], name_en=r["name_en"],
                         position=position, description_zh=r["description_zh"],
                         description_en=r["description_en"], default_track=r["default_track"],
                         rejection_reason=r["rejection_reason"] or None,
                         rejection_channel=r["rejection_channel"] or None)
                for position, r in enumerate(csv.DictReader(f))]


def rules():
    """(category, area, unit, track): city departments for the whole city, then
    the more specific district and town rules that win over them."""
    found = [(category, CITY, f"{CITY}-{abbr}",
              "special_case" if category in SPECIAL_CASE_CATEGORIES else "standard")
             for category, (abbr, _, _) in DEPARTMENTS.items()]
    found += [(category, area, f"{area}-{DEPARTMENTS[category][0]}", "standard")
              for area, category in DISTRICT_DEPARTMENTS]
    found += [(category, area, TOWN_OFFICE[0], "standard") for category, area in TOWN_RULES]
    return found


def seed(tx, demo_password=None):
    """Seed the directory; returns how many rules and staff accounts were
    added. With ``demo_password`` (the demo: ``make run``, the tests) every
    new staff account gets it; without, each gets a one-time password (in
    the result, to hand over once) that must be changed at first sign-in."""
    session = tx.session
    # Flushed group by group: the foreign keys need areas before units, and so on.
    for rows in (areas(), units(), categories()):
        for row in rows:
            session.merge(row)
        session.flush()

    existing = set(session.execute(select(RoutingRule.category, RoutingRule.area_code)).all())
    added_rules = [RoutingRule(category=c, area_code=a, unit_code=u, track=t)
                   for c, a, u, t in rules() if (c, a) not in existing]
    session.add_all(added_rules)

    existing = set(session.scalars(select(StaffAccount.username)).all())
    hasher = PasswordHasher()
    passwords = {name: demo_password or one_time_password()
                 for name in DEMO_STAFF if name not in existing}
    added_staff = [StaffAccount(username=name, unit_code=DEMO_STAFF[name][0],
                                role=DEMO_STAFF[name][1],
                                password_hash=hasher.hash(password),
                                must_change_password=demo_password is None)
                   for name, password in passwords.items()]
    session.add_all(added_staff)
    return {"rules": len(added_rules), "staff_accounts": len(added_staff),
            "one_time_passwords": {} if demo_password else passwords}
