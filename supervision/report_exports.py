"""How the annual report's frozen snapshot is shown: on the page, in the PDF (WeasyPrint, Noto
CJK fonts, English and Chinese) and in the spreadsheet (openpyxl, one sheet per section).

All three read ``present(report)``, which only translates the snapshot's label keys in the
active language and computes the year-over-year deltas: no query for the figures, so a
published page costs what a plain page costs, and later data never changes what it shows.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from functools import cache

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook

from crm.bilingual import in_language
from crm.choices import choice_label
from crm.csv_export import safe_cell
from crm.models import CorrectiveAction
from crm.numbers import number_text
from evaluations.models import Decision, Incentive
from partners.agreements.models import AgreementType, Party
from partners.cases.models import CaseKind
from partners.customers.models import Gift
from partners.models import FAMILY_PLURALS, Tier

from .models import AnnualReport, Finding
from .report import INT, LABEL, MONEY, PCT, SCORE, TEXT

SECTIONS = {
    "satisfaction": _("Satisfaction"),
    "scorecards": _("Scorecards"),
    "cases": _("Service cases"),
    "contact": _("Contact coverage"),
    "gifts": _("Gifts"),
    "agreements": _("Agreement execution"),
    "associations": _("Association engagement"),
    "findings": _("Findings and corrective actions"),
    "improvement": _("Last year's improvement plan"),
}
TEXTS = {
    "all": _("All"),
    "association_engagement": _("Association engagement"),
    "associations": _("Associations (active)"),
    "associations_contacted": _("Associations contacted"),
    "association_interactions": _("Interactions with associations"),
    "association_responses": _("Survey responses from associations"),
    "standings": _("Overall standings of the year's closed evaluations"),
    "decisions": _("Decisions"),
    "incentives": _("Incentives"),
    "movers": _("Biggest movers (mean overall score against the year before)"),
    "cases_by_kind": _("Cases by type"),
    "cases_by_family": _("Cases by family"),
    "contact_coverage": _("Active partners contacted in the year, by tier"),
    "followups": _("Follow-ups due in the year"),
    "gifts": _("Gift register"),
    "gift_approval": _("Gifts given that needed approval"),
    "gifts_needing": _("Needing approval"),
    "gifts_approved_before": _("Approved before they were given"),
    "gifts_approved_after": _("Approved after they were given"),
    "gifts_rejected": _("Rejected"),
    "gifts_pending": _("Still pending"),
    "gifts_approved_before_share": _("Approved before they were given (%)"),
    "agreement_reviews": _("Execution reviews due in the year, by agreement type"),
    "agreement_obligations": _("Agreement obligations due in the year, by who owed them"),
    "association_events": _("Association events attended by at least one of our people, by department"),
    "industry_reports_read": _("Industry reports shared in the year: readers and reads, by department"),
    "findings": _("Findings by severity"),
    "actions": _("Corrective actions raised in the year"),
    "previous_plan": _("Improvement plan of the year before"),
    "no_action": _("No corrective action"),
}
COLUMNS = {
    "responses": _("Responses"),
    "response_rate": _("Response rate (%)"),
    "nps": _("NPS"),
    "nps_n": _("NPS n"),
    "csat": _("CSAT (%)"),
    "csat_n": _("CSAT n"),
    "ces": _("CES"),
    "ces_n": _("CES n"),
    "count": _("Count"),
    "evaluations": _("Evaluations"),
    "share": _("Share (%)"),
    "decisions": _("Decisions"),
    "proposed": _("Proposed"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "score": _("Score"),
    "score_before": _("Year before"),
    "change": _("Change"),
    "cases": _("Cases"),
    "response_met": _("First response on time (%)"),
    "resolution_met": _("Resolved on time (%)"),
    "partners": _("Partners"),
    "contacted": _("Contacted"),
    "coverage": _("Coverage (%)"),
    "interactions": _("Interactions"),
    "due": _("Due"),
    "on_time": _("Done on time"),
    "late": _("Done late"),
    "not_done": _("Not done"),
    "on_time_share": _("On time (%)"),
    "gifts": _("Gifts"),
    "value": _("Value"),
    "findings": _("Findings"),
    "awaiting": _("Awaiting response"),
    "responded": pgettext_lazy("findings", "Responded"),
    "closed": pgettext_lazy("findings", "Closed"),
    "actions": _("Actions"),
    "overdue": _("Overdue"),
    "events": _("Events"),
    "receipts": _("Readers"),
    "read": _("Read"),
    "read_share": _("Read (%)"),
    "department": _("Department"),
    "owner": _("Owner"),
    "outcome": _("How it ended"),
}
CHOICES = {
    "tier": Tier,
    "outcome": Decision.Outcome,
    "incentive": Incentive.Kind,
    "case_kind": CaseKind,
    "severity": Finding.Severity,
    "action_state": CorrectiveAction.State,
    "direction": Gift.Direction,
    "agreement_type": AgreementType,
    "party": Party,
}


def label(spec) -> str:
    """A snapshot label key in the active language (``["family", "supplier"]`` → "Suppliers")."""
    kind, *rest = spec
    if kind == "text":
        return str(TEXTS.get(rest[0], rest[0]))
    if kind == "family":
        return str(FAMILY_PLURALS.get(rest[0], rest[0]))
    if kind == "department":  # [name, Chinese name] (snapshots before Chinese names: [name])
        return in_language(rest[0], rest[1] if len(rest) > 1 else "")
    if kind == "standing":
        return rest[0] or str(_("Not rated"))
    if kind in CHOICES:
        text = choice_label(CHOICES[kind], rest[0]) if rest[0] is not None else "—"
        return " · ".join([str(text), *map(str, rest[1:])])
    return str(rest[0])  # department names, partner names, plan items: data, as written


def _show(value, kind: str) -> str:
    if kind == LABEL:
        return label(value) if value else "—"
    if kind == TEXT:
        return value or "—"
    if kind == MONEY:
        return number_text(value, 2)
    return number_text(value)


def _delta(current, previous):
    if current is None or previous is None or isinstance(current, str | list):
        return None
    return round(current - previous, 2)


@dataclass
class Cell:
    value: object
    text: str
    previous: object = None
    previous_text: str = ""
    delta: object = None
    delta_text: str = ""
    direction: str = ""  # "up", "down", "" — for the page's arrows


@dataclass
class Row:
    label: str
    cells: list[Cell]


@dataclass
class ShownTable:
    key: str
    title: str
    columns: list[str]
    kinds: list[str]
    yoy: bool
    rows: list[Row]


@dataclass
class ShownSection:
    key: str
    title: str
    tables: list[ShownTable] = field(default_factory=list)


def present(figures: dict) -> list[ShownSection]:
    """The snapshot's sections in the active language, with deltas. No query."""
    sections = []
    for section in figures.get("sections", []):
        shown = ShownSection(key=section["key"], title=str(SECTIONS.get(section["key"], section["key"])))
        for table in section["tables"]:
            kinds = [kind for _key, kind in table["columns"]]
            rows = []
            for row in table["rows"]:
                previous = row.get("p") or [None] * len(row["v"])
                cells = []
                for value, before, kind in zip(row["v"], previous, kinds, strict=True):
                    delta = _delta(value, before) if table["yoy"] and kind in (INT, PCT, SCORE, MONEY) else None
                    cells.append(
                        Cell(
                            value=value,
                            text=_show(value, kind),
                            previous=before,
                            previous_text=_show(before, kind) if table["yoy"] else "",
                            delta=delta,
                            delta_text=("+" if delta and delta > 0 else "") + number_text(delta)
                            if delta is not None
                            else "",
                            direction="up" if delta and delta > 0 else "down" if delta and delta < 0 else "",
                        )
                    )
                rows.append(Row(label=label(row["label"]), cells=cells))
            shown.tables.append(
                ShownTable(
                    key=table["key"],
                    title=label(table["title"]),
                    columns=[str(COLUMNS.get(key, key)) for key, _kind in table["columns"]],
                    kinds=kinds,
                    yoy=table["yoy"],
                    rows=rows,
                )
            )
        sections.append(shown)
    return sections


def chart_data(figures: dict) -> dict:
    """What the page's charts draw (static/js/annual_report.js): NPS and CSAT per family for the
    year and the year before, the SLA attainment by case type, the standings distribution."""
    tables = {t["key"]: t for s in figures.get("sections", []) for t in s["tables"]}

    def first_row(key: str, column: str) -> tuple:
        table = tables.get(key)
        if not table or not table["rows"]:
            return None, None
        index = [c for c, _k in table["columns"]].index(column)
        row = table["rows"][0]
        return row["v"][index], (row.get("p") or [None] * len(row["v"]))[index]

    families = [t for t in tables if t.startswith("satisfaction_")]
    satisfaction = {
        "labels": [label(tables[t]["title"]) for t in families],
        "nps": [first_row(t, "nps")[0] for t in families],
        "nps_before": [first_row(t, "nps")[1] for t in families],
        "csat": [first_row(t, "csat")[0] for t in families],
        "csat_before": [first_row(t, "csat")[1] for t in families],
    }
    cases = tables.get("cases_by_kind", {"rows": []})
    standings = tables.get("standings", {"rows": []})
    return {
        "year": figures.get("year"),
        "previous_year": figures.get("previous_year"),
        "satisfaction": satisfaction,
        "cases": {
            "labels": [label(r["label"]) for r in cases["rows"]],
            "response": [r["v"][1] for r in cases["rows"]],
            "resolution": [r["v"][2] for r in cases["rows"]],
        },
        "standings": {
            "labels": [label(r["label"]) for r in standings["rows"]],
            "values": [r["v"][0] for r in standings["rows"]],
            "before": [(r.get("p") or [None])[0] for r in standings["rows"]],
        },
    }


# --- Files (made once, at publication) ---------------------------------------------------------


@cache
def _weasyprint_problem() -> str:
    try:
        import weasyprint  # noqa: F401  (its import loads pango: fails without the system libraries)
    except (ImportError, OSError) as exc:
        return f"WeasyPrint: {exc}".splitlines()[0][:200]
    return ""


def pdf_unavailable() -> str:
    """Why a PDF cannot be made here ("" when it can): WeasyPrint or its system libraries
    (pango) missing. The pages show this instead of failing."""
    return _weasyprint_problem()


def _context(report: AnnualReport) -> dict:
    return {
        "report": report,
        "year_before": report.year - 1,
        "sections": present(report.figures),
        "summary": report.summary_zh
        if (translation.get_language() or "").startswith("zh") and report.summary_zh
        else report.summary,
        "items": list(report.items.select_related("department", "owner").order_by("position", "pk")),
    }


def report_pdf(report: AnnualReport, language: str) -> bytes:
    """The report as a PDF in ``language``, text extractable, Chinese set in Noto Sans CJK."""
    from weasyprint import CSS, HTML  # loaded only here: a server without pango still runs the app

    with translation.override(language):
        html = render_to_string("supervision/report_pdf.html", {**_context(report), "language": language})
    stylesheet = CSS(filename=finders.find("css/report_pdf.css"))
    return HTML(string=html, base_url=str(finders.find("css/report_pdf.css"))).write_pdf(stylesheets=[stylesheet])


def _sheet_title(text: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]\*\?/\\:]", " ", text)[:31].strip() or "Sheet"  # Excel's limit: 31
    base, n = title, 2
    while title in used:
        title, n = f"{base[:25]} {n}", n + 1
    used.add(title)
    return title


def report_xlsx(report: AnnualReport, language: str = "en") -> bytes:
    """One sheet per section; every figure a number, the year before and the delta beside it."""
    with translation.override(language):
        workbook = Workbook()
        workbook.remove(workbook.active)
        used: set[str] = set()
        for section in present(report.figures):
            sheet = workbook.create_sheet(_sheet_title(section.title, used))
            for table in section.tables:
                sheet.append([table.title])
                header = [""]
                for column in table.columns:
                    header.append(column)
                    if table.yoy:
                        header += [f"{column} ({report.year - 1})", f"{column} Δ"]
                sheet.append(header)
                for row in table.rows:
                    line = [safe_cell(row.label)]
                    for cell, kind in zip(row.cells, table.kinds, strict=True):
                        numeric = kind in (INT, PCT, SCORE, MONEY)
                        line.append(safe_cell(cell.value if numeric else cell.text))
                        if table.yoy:
                            line += [safe_cell(cell.previous if numeric else cell.previous_text), safe_cell(cell.delta)]
                    sheet.append([None if v == "" else v for v in line])
                sheet.append([])
        if not workbook.sheetnames:
            workbook.create_sheet("Report")
        out = io.BytesIO()
        workbook.save(out)
    return out.getvalue()


def report_files(report: AnnualReport) -> dict[str, tuple[str, bytes]]:
    """The frozen files of a version, by field: the PDF and the spreadsheet in English and Chinese."""
    stem = f"rapport-report-{report.year}-v{report.version}"
    return {
        "pdf_en": (f"{stem}-en.pdf", report_pdf(report, "en")),
        "pdf_zh": (f"{stem}-zh.pdf", report_pdf(report, "zh-hans")),
        "xlsx": (f"{stem}-en.xlsx", report_xlsx(report, "en")),
        "xlsx_zh": (f"{stem}-zh.xlsx", report_xlsx(report, "zh-hans")),
    }
