"""Figures: the public results (scoreboard, published cases, open data, the
people's suggestions' figures) and the staff's analysis (figures, trends,
assessment, bulletins)."""
import base64

from services.gateway.auth import staff_only
from services.gateway.forward import ACTOR, PUBLIC, answers, forward, query
from services.gateway.http import (
    API,
    PUBLIC_CACHE,
    STAFF_CACHE,
    download,
    http,
    json_body,
)
from services.reports import schemas as reports_schemas


class FigureRoutes:
    """Mixed into GatewayService, which declares the RPC proxies used here."""

    scoreboard = forward(
        "GET", f"{API}/public/scoreboard", "reports.scoreboard", query,
        answer=reports_schemas.ScoreboardSchema, who=PUBLIC, headers=PUBLIC_CACHE, doc="""
        The public scoreboard of units: volume, on-time and satisfaction rates (公开)
        ---
        parameters: [period]
        responses:
          "200": {description: "every unit with cases in the period, and the method of each figure"}
        """)

    published_cases = forward(
        "GET", f"{API}/public/cases", "reports.published_cases", query,
        answer=reports_schemas.PublishedCasesSchema, who=PUBLIC, headers=PUBLIC_CACHE, doc="""
        Concluded cases, public and masked: category, area, unit, timeline, ratings (结果公开)
        ---
        parameters:
          - period
          - area
          - unit_category
          - {name: limit, in: query, schema: {type: integer, default: 20, maximum: 100}}
          - {name: offset, in: query, schema: {type: integer, default: 0}}
        responses:
          "200": {description: "a page of the cases concluded in the period, newest first; not those the petitioner kept private or staff withheld"}
        """)

    @http("GET", f"{API}/public/open-data.csv")
    def open_data(self, request):
        """Open data: the concluded public cases of the period, anonymised, as CSV (开放数据)
        ---
        parameters:
          - period
          - area
          - unit_category
        responses:
          "200": {description: "UTF-8 CSV with a BOM: no case number, days not moments",
                  content: {text/csv: {schema: {type: string}}}}
        """
        document = self.reports.open_data(request.args.to_dict())
        return download(document["text"].encode("utf-8"), document, PUBLIC_CACHE)

    suggestion_figures = forward(
        "GET", f"{API}/reports/suggestions", "reports.suggestion_figures", query,
        answer=reports_schemas.SuggestionFiguresSchema, who=PUBLIC, headers=PUBLIC_CACHE, doc="""
        People's suggestions per solicitation topic and per department (人民建议征集统计, 公开)
        ---
        parameters:
          - period
          - {name: topic, in: query, description: "one solicitation topic's id", schema: {type: integer, minimum: 1}}
          - {name: department, in: query, description: "one answering department's unit code", schema: {type: string}}
          - area
        responses:
          "200": {description: "received, reviewed, forwarded, answered, adopted and published in the period; counts only, no proposer"}
        """)

    @http("POST", f"{API}/reports/cases/<string:case_number>/withhold")
    @staff_only
    @answers(reports_schemas.WithheldSchema, said="withheld")
    def withhold(self, request, actor, case_number):
        """Withhold a concluded case from the public list, with the reason (bureau)
        ---
        requestBody: WithholdSchema
        """
        body = reports_schemas.WithholdSchema().load(json_body(request))
        return self.reports.withhold(case_number, body["reason"], actor)

    figures = forward(
        "GET", f"{API}/reports/figures", "reports.figures", query, ACTOR,
        answer=reports_schemas.FigureRowSchema, many=True, headers=STAFF_CACHE, doc="""
        Figures for the caller's unit, or its jurisdiction for a bureau (统计)
        ---
        parameters: [period, area, filters]
        """)

    trends = forward(
        "GET", f"{API}/reports/trends", "reports.trends", query, ACTOR,
        answer=reports_schemas.TrendsSchema, headers=STAFF_CACHE, doc="""
        Daily series and hot spots: categories, areas and title words rising fastest (形势研判)
        ---
        parameters:
          - {name: date, in: query, description: "the last day (default today)", schema: {type: string, format: date}}
          - {name: days, in: query, description: "the window, against the one before it", schema: {type: integer, default: 7, maximum: 92}}
          - {name: limit, in: query, schema: {type: integer, default: 10}}
          - {name: area_code, in: query, schema: {type: string}}
        """)

    assessment = forward(
        "GET", f"{API}/reports/assessment", "reports.assessment", query, ACTOR,
        answer=reports_schemas.AssessmentRowSchema, many=True, headers=STAFF_CACHE, doc="""
        The assessment table: every unit's figures, weighted score and rank (考核)
        ---
        parameters: [period, area]
        """)

    lagging = forward(
        "GET", f"{API}/reports/lagging", "reports.lagging", query, ACTOR,
        answer=reports_schemas.AssessmentRowSchema, many=True, headers=STAFF_CACHE, doc="""
        Lagging units (后进单位), worst first, each with the rules it broke
        ---
        parameters: [period, area]
        """)

    @http("GET", f"{API}/reports/export/<string:table>.csv")
    @staff_only
    def export_csv(self, request, actor, table):
        """A table as CSV: figures (with by=...), assessment or lagging
        ---
        parameters: [period, area, filters]
        responses:
          "200": {description: "UTF-8 CSV with a BOM", content: {text/csv: {schema: {type: string}}}}
        """
        document = self.reports.export(table, request.args.to_dict(), actor)
        return download(document["text"].encode("utf-8"), document, STAFF_CACHE)

    bulletins = forward(
        "GET", f"{API}/reports/bulletins", "reports.bulletins", ACTOR,
        answer=reports_schemas.StoredBulletinSchema, many=True, doc="""
        The bulletins made on schedule: each month's and quarter's, xlsx and pdf (bureau)
        ---
        responses: {"200": {description: newest first}}
        """)

    @http("GET", f"{API}/reports/bulletins/<int:bulletin_id>")
    @staff_only
    def stored_bulletin(self, request, actor, bulletin_id):
        """One scheduled bulletin, as it was made
        ---
        responses:
          "200": {description: "the document (xlsx or pdf)", content: {application/octet-stream: {schema: {type: string, format: binary}}}}
        """
        document = self.reports.stored_bulletin(bulletin_id, actor)
        return download(base64.b64decode(document["base64"]), document, STAFF_CACHE)

    @http("GET", f"{API}/reports/bulletin.<string:document_format>")
    @staff_only
    def bulletin(self, request, actor, document_format):
        """The bulletin (通报), xlsx or pdf: figures, units, lagging units named, charts
        ---
        parameters: [period, area]
        responses:
          "200": {description: "an XLSX workbook, or a printable PDF in Chinese",
                  content: {application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: {schema: {type: string, format: binary}},
                            application/pdf: {schema: {type: string, format: binary}}}}
        """
        document = self.reports.bulletin(request.args.to_dict(), actor, document_format)
        return download(base64.b64decode(document["base64"]), document, STAFF_CACHE)

