"""Staff roles: the one vocabulary that accounts (routing), workflow tables
(tracking) and the gateway's enums read.

A unit's staff act on their own unit's cases; bureau staff also on every case
in their bureau's jurisdiction (see tracking's scope rule).
"""
HANDLER = "handler"                       # 经办人: works the unit's cases
UNIT_LEADER = "unit_leader"               # 单位负责人: signs off the unit's answers
BUREAU_SUPERVISOR = "bureau_supervisor"   # 信访局督办员: transfers, supervises, approves
BUREAU_ADMIN = "bureau_admin"             # 信访局管理员: staff accounts, besides supervising

# 信访代理员: a grid's agent who submits for citizens of the grid (the town of
# their account's unit), with the citizen's consent; not staff of any case.
GRID_AGENT = "grid_agent"

ROLES = (HANDLER, UNIT_LEADER, BUREAU_SUPERVISOR, BUREAU_ADMIN, GRID_AGENT)
# Not staff: the actor the gateway signs for an API key submitting petitions
# through Open311 (services/routing/api_keys.py); intake accepts it for that only.
REGISTERED_APP = "registered_app"
UNIT_ROLES = frozenset({HANDLER, UNIT_LEADER})
BUREAU_ROLES = frozenset({BUREAU_SUPERVISOR, BUREAU_ADMIN})
# who works cases (the work queue, the case's steps, the figures)
STAFF_ROLES = UNIT_ROLES | BUREAU_ROLES
# who may have a petitioner's unmasked name, ID number and phone shown (each
# time audited): those who handle or supervise the case, not account admins
REVEAL_ROLES = frozenset({HANDLER, UNIT_LEADER, BUREAU_SUPERVISOR})


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
