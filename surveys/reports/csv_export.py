"""The tertial report as CSV or xlsx: one row per unit, cells escaped against spreadsheet formulas (CSV) or
written as text, never formulas (xlsx: staff.platform.exports)."""

from __future__ import annotations

import csv
import io

from rest_framework.renderers import BaseRenderer

from staff.platform.exports import XLSX_TYPE, xlsx_bytes
from staff.platform.formtools import csv_cell

from ..models import QUESTIONS

STOCK = (
    "employees",
    "case_workers",
    "open_cases",
    "cases_per_employee",
    "weighted_cases_per_employee",
    "co_handler_coverage",
    "investigations_closed",
    "share_closed_within_target",
    "share_closed_within_legal_limit",
    "closed_past_deadline",
    "turnover",
    "leavers",
    "average_headcount",
    "supplement_cost",
    "consultant_cost",
    "consultant_months",
)


def header(level_numbers: list) -> list[str]:
    cols = ["tertial", "department_id", "department", "unit_id", "unit", *STOCK]
    cols += [f"level_{n}" for n in level_numbers] + ["level_none"]
    cols += ["survey_suppressed", "invited", "respondents", "response_rate"]
    for key, _label in QUESTIONS:
        cols += [f"{key}_mean", f"{key}_change_vs_previous", f"{key}_change_vs_baseline"]
    return cols


def rows(data: dict) -> list[list]:
    """From the serialized report (the JSON body), so CSV and JSON cannot differ."""
    departments = data.get("departments", [])
    numbers = sorted(
        {lv["level"] for d in departments for u in d["units"] for lv in u["level_distribution"] if lv["level"]}
    )
    out = [header(numbers)]
    for dept in departments:
        for unit in dept["units"]:
            levels = {lv["level"]: lv["count"] for lv in unit["level_distribution"]}
            survey = unit["survey"] or {}
            questions = {q["key"]: q for q in survey.get("questions", [])}
            row = [data["tertial"], dept["id"], dept["name"], unit["id"], unit["name"]]
            row += [unit[name] for name in STOCK]
            row += [levels.get(n, 0) for n in numbers] + [levels.get(None, 0)]
            row += [survey.get("suppressed", ""), survey.get("invited"), survey.get("respondents")]
            row += [survey.get("response_rate")]
            for key, _label in QUESTIONS:
                q = questions.get(key, {})
                row += [q.get("mean"), q.get("change_vs_previous"), q.get("change_vs_baseline")]
            out.append(row)
    return out


class TertialCsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows(data or {}):
            writer.writerow([csv_cell(v, decimal=".") for v in row])  # comma-separated: decimal points
        return buffer.getvalue().encode("utf-8")


class TertialXlsxRenderer(BaseRenderer):
    """The same rows as the CSV, as an Excel file (?format=xlsx)."""

    media_type = XLSX_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return xlsx_bytes(rows(data or {}), sheet_title=str((data or {}).get("tertial", "")))
