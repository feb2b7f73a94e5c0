"""`make report`: the insights of the last N days (DAYS=N, default 7) as a table on the
terminal, and each chart of the console's Insights page as an SVG file with its data as CSV
(results/report/ by default). English, or French with --lang fr.

The numbers are those of GET /api/agent/insights (bot/store/insights_queries.py), read from
the database of DATABASE_URL and Rasa's tracker store beside it.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.paths import ROOT
from bot.core.topics import title
from bot.ops.svg_charts import columns, horizontal_bars

REPORT_DIR = ROOT / "results" / "report"

TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "heading": "PIP assistant: the last {days} days ({start} to {end}, UTC)",
        "conversations": "Conversations",
        "messages": "Questions",
        "english": "In English",
        "french": "In French",
        "declined": "Declined (not understood or out of scope)",
        "handed_over": "Handed over to people",
        "per_day": "Questions and conversations per day",
        "date": "Date",
        "per_topic": "Questions per topic",
        "topic": "Topic",
        "questions": "Questions",
        "answers": "Declined and handed over",
        "outcome": "Outcome",
        "share": "Share",
        "answered": "Answered",
        "feedback": "Feedback per topic",
        "helpful": "Helpful",
        "not_helpful": "Not helpful",
        "reasons": "Reasons given with feedback",
        "reason": "Reason",
        "count": "Count",
        "languages": "Questions per language",
        "language": "Language",
        "language_note": "Questions whose words tell their language ('ok' or a number does not).",
        "files": "Charts written to {folder}",
        "description": "Bar chart. The same data is in {file}.",
        "reason_labels": {
            "saved_call": "Saved me a call",
            "not_what_i_asked": "Not what I asked",
            "unclear": "Unclear",
            "broken_link": "Broken link",
            "other": "Other",
        },
        "no_reply": "No reply stored",
    },
    "fr": {
        "heading": "Assistant PEP : les {days} derniers jours (du {start} au {end}, UTC)",
        "conversations": "Conversations",
        "messages": "Questions",
        "english": "En anglais",
        "french": "En français",
        "declined": "Refusées (non comprises ou hors du champ)",
        "handed_over": "Transférées à une personne",
        "per_day": "Questions et conversations par jour",
        "date": "Date",
        "per_topic": "Questions par sujet",
        "topic": "Sujet",
        "questions": "Questions",
        "answers": "Questions refusées et transférées",
        "outcome": "Résultat",
        "share": "Proportion",
        "answered": "Répondues",
        "feedback": "Rétroaction par sujet",
        "helpful": "Utile",
        "not_helpful": "Pas utile",
        "reasons": "Raisons données avec la rétroaction",
        "reason": "Raison",
        "count": "Nombre",
        "languages": "Questions par langue",
        "language": "Langue",
        "language_note": "Les questions dont les mots indiquent la langue (« ok » ou un numéro ne l'indiquent pas).",
        "files": "Graphiques enregistrés dans {folder}",
        "description": "Graphique à barres. Les mêmes données sont dans {file}.",
        "reason_labels": {
            "saved_call": "M'a évité un appel",
            "not_what_i_asked": "Pas ce que j'ai demandé",
            "unclear": "Pas clair",
            "broken_link": "Lien brisé",
            "other": "Autre",
        },
        "no_reply": "Aucune réponse enregistrée",
    },
}


@dataclass
class Chart:
    name: str  # file stem
    title: str
    kind: str  # "columns" or "bars"
    first: str  # heading of the label column
    labels: list[str]
    series: list[tuple]  # (name, values)
    percent: bool = False  # values are percentages

    def table(self) -> list[list[Any]]:
        """Header and rows, as in the CSV file (numbers as numbers)."""
        return [[self.first] + [name for name, _ in self.series]] + [
            [label] + [values[i] for _, values in self.series] for i, label in enumerate(self.labels)
        ]


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _shown(value: float, lang: str, percent: bool = False) -> str:
    """12.5 % in French (decimal comma, no-break space), 12.5% in English."""
    text = f"{value:g}"
    if lang == "fr":
        text = text.replace(".", ",")
    return text + ("\u00a0%" if lang == "fr" else "%") if percent else text


def charts(body: dict[str, Any], lang: str) -> list[Chart]:
    """The Insights page's charts for one insights document (GET /api/agent/insights)."""
    t = TEXT[lang]
    topic = lambda name: t["no_reply"] if name == "no_reply" else title(name, lang)  # noqa: E731
    asked = [row for row in body["by_topic"] if row["count"]]
    rated = [row for row in body["by_topic"] if row["helpful"] or row["not_helpful"]]
    messages, declined, handed = body["messages"], body["unanswered"], body["handoffs"]
    return [
        Chart(
            "per_day",
            t["per_day"],
            "columns",
            t["date"],
            [d["date"] for d in body["by_day"]],
            [
                (t["messages"], [d["count"] for d in body["by_day"]]),
                (t["conversations"], [d.get("conversations", 0) for d in body["by_day"]]),
            ],
        ),
        Chart(
            "per_topic",
            t["per_topic"],
            "bars",
            t["topic"],
            [topic(r["topic"]) for r in asked],
            [(t["questions"], [r["count"] for r in asked])],
        ),
        Chart(
            "declined_and_handed_over",
            t["answers"],
            "bars",
            t["outcome"],
            [t["answered"], t["declined"], t["handed_over"]],
            [
                (
                    f"{t['share']} (%)",
                    [
                        _percent(messages - declined - handed, messages),
                        _percent(declined, messages),
                        _percent(handed, messages),
                    ],
                )
            ],
            percent=True,
        ),
        Chart(
            "feedback_per_topic",
            t["feedback"],
            "bars",
            t["topic"],
            [topic(r["topic"]) for r in rated],
            [(t["helpful"], [r["helpful"] for r in rated]), (t["not_helpful"], [r["not_helpful"] for r in rated])],
        ),
        Chart(
            "languages",
            t["languages"],
            "bars",
            t["language"],
            [t["english"], t["french"]],
            [(t["questions"], [body["by_language"].get("en", 0), body["by_language"].get("fr", 0)])],
        ),
    ]


def _rows(rows: Sequence[Sequence[Any]], header: bool = True) -> str:
    """Aligned columns: text to the left, numbers to the right; a rule under the header."""
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if header and n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def as_text(body: dict[str, Any], lang: str) -> str:
    t = TEXT[lang]
    messages = body["messages"]
    summary = [
        [t["conversations"], body["conversations"], ""],
        [t["messages"], messages, ""],
        [t["english"], body["by_language"].get("en", 0), ""],
        [t["french"], body["by_language"].get("fr", 0), ""],
        [t["declined"], body["unanswered"], _shown(_percent(body["unanswered"], messages), lang, True)],
        [t["handed_over"], body["handoffs"], _shown(_percent(body["handoffs"], messages), lang, True)],
    ]
    parts = [
        t["heading"].format(days=body["days"], start=body["from"], end=body["to"]),
        "",
        _rows(summary, header=False),
    ]
    for chart in charts(body, lang):
        if chart.labels:
            header, *rows = chart.table()
            shown = [[row[0]] + [_shown(v, lang, chart.percent) for v in row[1:]] for row in rows]
            parts += ["", chart.title, _rows([header] + shown)]
    if body["feedback_reasons"]:
        reasons = [[t["topic"], t["reason"], t["count"]]] + [
            [title(r["topic"], lang), t["reason_labels"].get(r["reason"], r["reason"]), r["count"]]
            for r in body["feedback_reasons"]
        ]
        parts += ["", t["reasons"], _rows(reasons)]
    parts += ["", t["language_note"]]
    return "\n".join(parts) + "\n"


def write_charts(body: dict[str, Any], lang: str, folder: Path) -> list[Path]:
    """Each chart as <name>.svg and its data as <name>.csv. Returns the SVG files."""
    t = TEXT[lang]
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for chart in charts(body, lang):
        data = io.StringIO()
        csv.writer(data, lineterminator="\n").writerows(chart.table())
        (folder / f"{chart.name}.csv").write_text(data.getvalue(), encoding="utf-8")
        description = t["description"].format(file=f"{chart.name}.csv")
        svg = (
            columns(chart.title, description, chart.labels, chart.series)
            if chart.kind == "columns"
            else horizontal_bars(
                chart.title,
                description,
                chart.labels,
                chart.series,
                functools.partial(_shown, lang=lang, percent=chart.percent),
            )
        )
        path = folder / f"{chart.name}.svg"
        path.write_text(svg, encoding="utf-8")
        written.append(path)
    return written


def report(days: int, folder: Path = REPORT_DIR, lang: str = "en", today: dt.date | None = None) -> str:
    """Reads the insights, writes the charts, returns the text to print."""
    from bot.store.engine import Database
    from bot.store.insights_queries import collect
    from bot.store.tracker_events import TrackerEvents

    database = Database()
    tracker = TrackerEvents(database.url)
    try:
        body = collect(database, tracker, days, today or dt.datetime.utcnow().date())
    finally:
        tracker.dispose()
        database.dispose()
    write_charts(body, lang, folder)
    return as_text(body, lang) + "\n" + TEXT[lang]["files"].format(folder=folder) + "\n"
