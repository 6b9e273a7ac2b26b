"""Staff roles: the one vocabulary that accounts (routing), workflow tables
(tracking) and the gateway's enums read.

A unit's staff act on their own unit's cases; bureau staff also on every case
in their bureau's jurisdiction (see tracking's scope rule).
"""
HANDLER = "handler"                       # 经办人: works the unit's cases
UNIT_LEADER = "unit_leader"               # 单位负责人: signs off the unit's answers
BUREAU_SUPERVISOR = "bureau_supervisor"   # 信访局督办员: transfers, supervises, approves
BUREAU_ADMIN = "bureau_admin"             # 信访局管理员: staff accounts, besides supervising

ROLES = (HANDLER, UNIT_LEADER, BUREAU_SUPERVISOR, BUREAU_ADMIN)
UNIT_ROLES = frozenset({HANDLER, UNIT_LEADER})
BUREAU_ROLES = frozenset({BUREAU_SUPERVISOR, BUREAU_ADMIN})


def jurisdiction_prefix(area_code):
    """The prefix every area code under ``area_code`` starts with: a city
    (370100) covers 3701xx and below, a district (370102) itself and its towns.
    A bureau's jurisdiction, for its cases (tracking) and its staff (routing)."""
    if len(area_code) > 6:
        return area_code
    prefix = area_code
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return prefix
