"""The annual assessment (考核) and the lagging units (后进单位), by the rules
in config ``ASSESSMENT`` (see schemas.AssessmentRulesSchema):

- score = the weighted rates (weights summing to, say, 100) minus a
  deduction per counted case (each supervised case, each overdue case), never
  below 0. A unit with no case in a rate's denominator is scored on the
  others, its weights scaled up to the same total;
- a unit is lagging when it breaks any rule (a rate below its threshold with
  at least ``min_cases`` behind it, or a count above its limit); the reason
  names each broken rule. Lagging units are named worst score first.
"""
from services.reports import figures

LABELS = {"on_time_rate": "按期办理率", "satisfaction_rate": "群众满意率",
          "rating_participation": "参评率", "supervised": "督办件数", "overdue": "超期件数",
          "returned": "退回件数", "repeats": "重复信访件数", "declined": "不予受理件数"}
# the count behind each rate: a rate of 1 case out of 1 says little
DENOMINATORS = {"on_time_rate": "due", "satisfaction_rate": "rated",
                "rating_participation": "replied"}


def assessment(tx, query, today, rules):
    """Every unit with cases in the period: its figures, weighted score, rank
    (1 = best) and, when lagging, why."""
    rows = [row for row in figures.figures(tx, {**query, "by": "unit"}, today) if row["key"]]
    for row in rows:
        row["score"] = score(row, rules)
        row["reasons"] = reasons(row, rules)
        row["lagging"] = bool(row["reasons"])
    rows.sort(key=lambda r: (-r["score"], r["key"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


def lagging(tx, query, today, rules):
    """The units the rules name as lagging, worst first, at most ``name_at_most``."""
    named = [row for row in assessment(tx, query, today, rules) if row["lagging"]]
    named.sort(key=lambda r: (r["score"], r["key"]))
    return named[:rules["name_at_most"]]


def score(row, rules):
    weights = rules["weights"]
    scored = {f: w for f, w in weights.items() if row[f] is not None}
    total = sum(weights.values())
    rated = (sum(row[f] * w for f, w in scored.items()) * total / sum(scored.values())
             if scored and sum(scored.values()) else 0.0)
    deducted = sum(row[f] * points for f, points in rules["deductions"].items())
    return round(max(rated - deducted, 0.0), 2)


def reasons(row, rules):
    found = []
    for rule in rules["lagging_rules"]:
        figure, value = rule["figure"], row[rule["figure"]]
        if figure in DENOMINATORS:
            behind = row[DENOMINATORS[figure]]
            if value is not None and behind >= rule["min_cases"] and value < rule["below"]:
                found.append(f"{LABELS[figure]}{value:.1%}，低于{rule['below']:.1%}"
                             f"（{behind}件）")
        elif value > rule["above"]:
            found.append(f"{LABELS[figure]}{value}件，超过{rule['above']}件")
    return found
