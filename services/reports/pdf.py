"""The bulletin as a printable PDF in Chinese (reportlab): the summary, the
unit table, two charts, the lagging units and the method.

Chinese needs a font with CJK glyphs, embedded in the PDF so that any reader
shows it: config ``BULLETIN_FONT``, by default WenQuanYi Zen Hei, which
``make install`` installs (Debian's fonts-wqy-zenhei).
"""
import io
from functools import cache

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "BulletinCJK"
RATES = frozenset({"on_time_rate", "satisfaction_rate", "rating_participation"})
COLOURS = (colors.HexColor("#1f77b4"), colors.HexColor("#d62728"))
# the unit table's columns in the PDF (a page is narrower than a sheet)
PDF_UNIT_COLUMNS = ("rank", "name", "received", "concluded", "overdue", "on_time_rate",
                    "satisfaction_rate", "score")


@cache
def register(path):
    """Register the CJK font once per process (a .ttc: its first face)."""
    pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
    return FONT


def render(content, font_path, unit_columns, overall_columns):
    font = register(font_path)
    styles = {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=1),
        "heading": ParagraphStyle("heading", fontName=font, fontSize=13, leading=20,
                                  spaceBefore=8, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=font, fontSize=10, leading=16, wordWrap="CJK"),
    }
    overall = content.overall
    labels = dict(unit_columns)
    story = [
        Paragraph("信访工作通报", styles["title"]),
        Paragraph(f"统计期间：{overall['from']} 至 {overall['to']}", styles["body"]),
        Spacer(1, 4 * mm),
        Paragraph("一、总体情况", styles["heading"]),
        Paragraph("；".join(f"{label}：{_show(key, overall[key])}"
                           for key, label in overall_columns) + "。", styles["body"]),
        Paragraph("二、各单位办理情况", styles["heading"]),
        _table([[labels[key] for key in PDF_UNIT_COLUMNS]]
               + [[_show(key, row.get(key)) for key in PDF_UNIT_COLUMNS] for row in content.units],
               font),
        Spacer(1, 4 * mm),
        _rate_chart(content.units, font),
        Paragraph("三、每日收到与办结", styles["heading"]),
        _series_chart(content.series, font),
        Paragraph("四、后进单位", styles["heading"]),
    ]
    if content.lagging:
        story += [Paragraph(f"{row.get('name') or row['key']}（得分{row['score']}）："
                            + "；".join(row["reasons"]), styles["body"])
                  for row in content.lagging]
    else:
        story.append(Paragraph("本期无。", styles["body"]))
    story.append(Paragraph("五、统计口径", styles["heading"]))
    story += [Paragraph(text, styles["body"]) for text in content.method.values()]

    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title="信访工作通报", leftMargin=18 * mm,
                      rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm).build(story)
    return out.getvalue()


def _show(key, value):
    if value is None:
        return "—"
    return f"{value:.1%}" if key in RATES else str(value)


def _table(rows, font):
    table = Table(rows, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
    ]))
    return table


def _legend(drawing, names, font, x, y):
    legend = Legend()
    legend.x, legend.y, legend.fontName, legend.fontSize = x, y, font, 8
    legend.colorNamePairs = list(zip(COLOURS, names))
    legend.alignment = "right"
    drawing.add(legend)


def _rate_chart(units, font):
    drawing = Drawing(170 * mm, 70 * mm)
    drawing.add(String(0, 66 * mm, "各单位按期办理率与群众满意率", fontName=font, fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 14 * mm, 120 * mm, 46 * mm
    chart.data = [[row["on_time_rate"] or 0 for row in units] or [0],
                  [row["satisfaction_rate"] or 0 for row in units] or [0]]
    chart.categoryAxis.categoryNames = [row.get("name") or row["key"] for row in units] or [""]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = font, 7
    chart.categoryAxis.labels.angle, chart.categoryAxis.labels.boxAnchor = 20, "ne"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 1, 0.25
    for index, colour in enumerate(COLOURS):
        chart.bars[index].fillColor = colour
    drawing.add(chart)
    _legend(drawing, ["按期办理率", "群众满意率"], font, 165 * mm, 60 * mm)
    return drawing


def _series_chart(series, font):
    drawing = Drawing(170 * mm, 60 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, 130 * mm, 45 * mm
    chart.data = [[row["received"] for row in series] or [0],
                  [row["concluded"] for row in series] or [0]]
    chart.categoryAxis.categoryNames = [row["key"][5:] for row in series] or [""]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = font, 6
    chart.categoryAxis.labels.angle, chart.categoryAxis.labels.boxAnchor = 90, "e"
    chart.valueAxis.valueMin = 0
    for index, colour in enumerate(COLOURS):
        chart.lines[index].strokeColor, chart.lines[index].strokeWidth = colour, 1.5
    drawing.add(chart)
    _legend(drawing, ["收到", "办结"], font, 165 * mm, 50 * mm)
    return drawing
