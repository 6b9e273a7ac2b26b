"""Documents: any table as CSV, and the bulletin (通报) as an XLSX workbook
(openpyxl) or a printable PDF (reportlab), each with its charts. They travel
over RPC as text (binary documents base64)."""
import base64
import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference

from services.reports import pdf

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"

# The columns of the bulletin's unit table, as the bureau names them.
UNIT_COLUMNS = (
    ("rank", "名次"), ("key", "单位代码"), ("name", "单位"), ("received", "收到件数"),
    ("concluded", "办结件数"), ("due", "到期件数"), ("overdue", "超期件数"),
    ("on_time_rate", "按期办理率"), ("rated", "评价件数"), ("satisfaction_rate", "群众满意率"),
    ("rating_participation", "参评率"), ("returned", "退回件数"), ("supervised", "督办件数"),
    ("repeats", "重复信访"), ("handling_days_avg", "平均办理工作日"),
    ("handling_days_p90", "办理工作日P90"), ("score", "考核得分"),
)
OVERALL = (("received", "收到"), ("accepted", "受理"), ("declined", "不予受理"),
           ("concluded", "办结"), ("returned", "退回"), ("transferred", "转办"),
           ("extended", "延期"), ("overdue", "超期"), ("supervised", "督办"),
           ("repeats", "重复信访"), ("on_time_rate", "按期办理率"),
           ("satisfaction_rate", "群众满意率"), ("rating_participation", "参评率"),
           ("handling_days_avg", "平均办理工作日"), ("handling_days_p90", "办理工作日P90"))


def flatten(row, prefix=""):
    """Nested figures as columns: ``satisfaction_by_dimension.work_efficiency``."""
    flat = {}
    for key, value in row.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            flat[f"{prefix}{key}"] = "；".join(map(str, value))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def csv_document(table, rows):
    flat = [flatten(row) for row in rows]
    columns = list(dict.fromkeys(key for row in flat for key in row))
    out = io.StringIO()
    # a BOM, so that Excel opens the Chinese text as UTF-8
    out.write("\ufeff")
    writer = csv.DictWriter(out, columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(flat)
    return {"filename": f"{table}.csv", "content_type": CSV_TYPE, "text": out.getvalue()}


@dataclass(frozen=True)
class BulletinContent:
    """What a bulletin says, whatever its format."""

    overall: dict
    units: list
    lagging: list
    series: list
    categories: list
    method: dict


def bulletin_xlsx(content, settings):
    overall, units, lagging = content.overall, content.units, content.lagging
    series, categories, method = content.series, content.categories, content.method
    book = Workbook()
    sheet = book.active
    sheet.title = "概况"
    sheet.append(["信访工作通报", f"{overall['from']} 至 {overall['to']}"])
    for key, label in OVERALL:
        sheet.append([label, overall[key]])
    sheet.append([])
    for key, text in method.items():
        sheet.append(["口径", text])

    table = book.create_sheet("各单位")
    table.append([label for _, label in UNIT_COLUMNS])
    for row in units:
        table.append([row.get(key) for key, _ in UNIT_COLUMNS])
    if units:
        chart = BarChart()
        chart.title, chart.y_axis.title = "各单位按期办理率与群众满意率", "比率"
        rates = [i for i, (key, _) in enumerate(UNIT_COLUMNS, 1)
                 if key in ("on_time_rate", "satisfaction_rate")]
        for column in rates:
            chart.add_data(Reference(table, min_col=column, min_row=1, max_row=len(units) + 1),
                           titles_from_data=True)
        chart.set_categories(Reference(table, min_col=3, min_row=2, max_row=len(units) + 1))
        table.add_chart(chart, f"A{len(units) + 4}")

    named = book.create_sheet("后进单位")
    named.append(["单位代码", "单位", "考核得分", "原因"])
    for row in lagging:
        named.append([row["key"], row.get("name"), row["score"], "；".join(row["reasons"])])

    daily = book.create_sheet("每日趋势")
    daily.append(["日期", "收到", "办结"])
    for row in series:
        daily.append([row["key"], row["received"], row["concluded"]])
    if series:
        chart = LineChart()
        chart.title, chart.y_axis.title = "每日收到与办结件数", "件数"
        chart.add_data(Reference(daily, min_col=2, max_col=3, min_row=1,
                                 max_row=len(series) + 1), titles_from_data=True)
        chart.set_categories(Reference(daily, min_col=1, min_row=2, max_row=len(series) + 1))
        daily.add_chart(chart, "E2")

    kinds = book.create_sheet("各类别")
    kinds.append(["类别", "收到", "办结", "按期办理率", "群众满意率"])
    for row in categories:
        kinds.append([row["key"], row["received"], row["concluded"], row["on_time_rate"],
                      row["satisfaction_rate"]])

    out = io.BytesIO()
    book.save(out)
    return _binary(out.getvalue(), f"bulletin-{overall['from']}-{overall['to']}.xlsx", XLSX_TYPE)


def _binary(data, filename, content_type):
    return {"filename": filename, "content_type": content_type,
            "base64": base64.b64encode(data).decode()}


def bulletin_pdf(content, settings):
    overall = content.overall
    return _binary(pdf.render(content, settings.bulletin_font, UNIT_COLUMNS, OVERALL),
                   f"bulletin-{overall['from']}-{overall['to']}.pdf", PDF_TYPE)


BULLETIN_FORMATS = {"xlsx": bulletin_xlsx, "pdf": bulletin_pdf}
