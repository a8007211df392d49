"""SAMHSA NSDUH detailed tables (HTML as published): ketamine use in the US by age group.

What it counts: people aged 12 or older reporting ketamine use, in thousands and as a percentage,
by age group (12+, 12-17, 18+, 18-25, 26+), one column pair per survey year. The 2020 edition's
Section 1 (`NSDUHDetTabsSect1pe2020.htm`) has ketamine only in tables 1.102A (thousands) and
1.102B (percent): LIFETIME use, 2019 and 2020. Later editions (2021 on) add PAST-YEAR ketamine
rows in other tables of the same section; the reader takes every table whose caption says
"in Lifetime" or "in Past Year" and "Numbers in Thousands" or "Percentages" and that has a
Ketamine row, so those rows load as `nsduh_detailed_tables_ketamine_past_year_*` without code
changes.

Cells as published: "3,833" (thousands), "1.4" (percent). Editions before 2020 print
significance letters beside numbers ("1.2a": different from the latest year at the .05 level,
"b" at .01); the letter is removed from the number and kept in the row's note. "*" (low
precision), "--", "da", "nc" and "nr" are not numbers: not loaded, listed in the refresh notes.
In the 2020 edition the 2020 column is printed in italics because SAMHSA changed the survey mode
(web and in-person, data from Quarters 1 and 4 only) and did not test 2020 against 2019: the
italic cells carry that caution in their note, and `etl/data/series_breaks.csv` draws 2020 as a
break (with the 2015 redesign and the 2021 multimode change), so 2019 and 2020 are never one line.

Live: the HTML file itself (SAMHSA serves no CSV of these tables), downloaded like any file as
kind `html`: the guard then expects an HTML document that names the survey in its first 64 kB,
so a landing or error page is still refused. Terms: US federal work, public domain; SAMHSA asks
to be cited.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from etl.contract import (
    INDICATOR_COLUMNS,
    OBSERVATION_COLUMNS,
    ParseError,
    RemoteFile,
    SourceFiles,
    SourceMeta,
    Tables,
)
from etl.limits import excerpt
from etl.series_breaks import apply_breaks, load_breaks

HOMEPAGE = "https://www.samhsa.gov/data/report/2020-nsduh-detailed-tables"
URL = (
    "https://www.samhsa.gov/data/sites/default/files/reports/rpt35323/NSDUHDetailedTabs2020v25/"
    "NSDUHDetailedTabs2020v25/NSDUHDetTabsSect1pe2020.htm"
)
PUBLICATION = "NSDUH detailed tables"
CITATION = (
    "Substance Abuse and Mental Health Services Administration (SAMHSA), Center for Behavioral "
    "Health Statistics and Quality. Results from the National Survey on Drug Use and Health: "
    "Detailed Tables, Section 1 (Population Estimates)"
)
MAX_BYTES = 32 << 20
META = SourceMeta(
    id="nsduh_detailed_tables",
    title="SAMHSA NSDUH detailed tables: ketamine use by age group",
    publisher="SAMHSA, Center for Behavioral Health Statistics and Quality (CBHSQ)",
    homepage=HOMEPAGE,
    licence="US federal government work, public domain (SAMHSA asks to be cited)",
    citation=CITATION,
    cadence="annual (survey year, published the following autumn)",
    domain="misuse",
    counts="people (thousands) and percent of the age group reporting ketamine use",
    caveats=(
        "Self-reported household survey; the 2020 edition has lifetime ketamine use only; 2020 "
        "changed mode and is not comparable with 2019."
    ),
    remote_files=(
        RemoteFile(
            "section1",
            URL,
            "NSDUHDetTabsSect1pe*.htm*",
            "html",
            header=("National Survey on Drug Use and Health",),
            max_bytes=MAX_BYTES,
        ),
    ),
)
CAPTION = re.compile(r"Table\s+(\d+\.\d+[A-Z]?)\s*(?:&ndash;|–|-)", re.I)
YEAR = re.compile(r"\((\d{4})\)")
CELL = re.compile(r"^(?P<number>\d{1,3}(?:,\d{3})*(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<letter>[a-z]?)$")
NOT_NUMBERS = {"*": "low precision", "--": "not available", "da": "does not apply"}
NOT_NUMBERS |= {"nc": "not comparable", "nr": "not reported"}


class TableReader(HTMLParser):
    """Collects each <table>: its caption, header cells and rows of (text, italic) cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.current: dict | None = None
        self.field: str | None = None
        self.text: list[str] = []
        self.italic = False
        self.row: list[tuple[str, bool]] | None = None
        self.line = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        classes = dict(attrs).get("class") or ""
        if tag == "table":
            self.current = {"caption": "", "head": [], "rows": [], "line": self.getpos()[0]}
        elif self.current is not None and tag in ("caption", "th", "td"):
            self.field, self.text, self.italic = tag, [], "italic" in classes.split()
        elif self.current is not None and tag == "tr":
            self.row, self.line = [], self.getpos()[0]
        elif tag == "br" and self.field:
            self.text.append(" ")

    def handle_data(self, data: str) -> None:
        if self.field:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self.current is None:
            return
        text = re.sub(r"\s+", " ", unescape("".join(self.text))).strip()
        if tag == "caption" and self.field == "caption":
            self.current["caption"], self.field = text, None
        elif tag in ("th", "td") and self.field == tag and self.row is not None:
            self.row.append((text, self.italic))
            self.field = None
        elif tag == "tr" and self.row is not None:
            self.current["rows"].append((self.line, self.row))
            self.row = None
        elif tag == "table":
            self.tables.append(self.current)
            self.current = None


class NsduhDetailedTables:
    meta = META

    def parse(self, files: SourceFiles) -> Tables:
        rows, notes, edition = [], [], None
        for path in files["section1"]:
            html = path.read_text(encoding="utf-8", errors="replace")
            edition = edition_of(html, path)
            reader = TableReader()
            reader.feed(html)
            for table in reader.tables:
                found, skipped = ketamine_rows(table, path, edition)
                rows.extend(found)
                notes.extend(skipped)
        if not rows:
            raise ParseError("no table with a Ketamine row (is this NSDUH Section 1?)", file=path)
        observations = pd.DataFrame(rows).reindex(columns=list(OBSERVATION_COLUMNS))
        indicators = indicator_frame(sorted(set(observations["indicator"])))
        publications = {i: PUBLICATION for i in indicators["id"]}
        breaks = load_breaks()
        breaks = breaks[[bool(re.search(p, PUBLICATION, re.I)) for p in breaks["publication"]]]
        # The break events themselves are drawn once, by the literature source (it writes every
        # row of series_breaks.csv); here they set the indicators' breaks and the 2020 notes.
        observations, indicators, _ = apply_breaks(
            observations, indicators, publications, source_id=META.id, breaks=breaks
        )
        return Tables(observations=observations, indicators=indicators, notes=notes)


def edition_of(html: str, path: Path) -> str:
    match = re.search(r"Results from the (\d{4}) National Survey on Drug Use and Health", html)
    if not match:
        raise ParseError("no 'Results from the YYYY National Survey...' title", file=path)
    return match[1]


def table_kind(caption: str) -> tuple[str, str] | None:
    """(measure, unit) of a table from its caption, or None when it is not one we read."""
    text = caption.lower()
    measure = "lifetime" if "in lifetime" in text else "past_year" if "in past year" in text else ""
    unit = (
        "thousands"
        if "numbers in thousands" in text
        else "percent"
        if "percentages" in text
        else ""
    )
    if not measure or not unit or "aged 12 or older" not in text:
        return None
    return measure, unit


def ketamine_rows(table: dict, path: Path, edition: str) -> tuple[list[dict], list[str]]:
    kind = table_kind(table["caption"])
    if kind is None:
        return [], []
    number = CAPTION.search(table["caption"])
    header = next((cells for _, cells in table["rows"] if len(cells) > 2), [])
    columns = [column_of(text) for text, _ in header[1:]]
    found, skipped = [], []
    for line, cells in table["rows"]:
        if not cells or cells[0][0].lower() != "ketamine":
            continue
        for (age, year), (text, italic) in zip(columns, cells[1:], strict=False):
            value, note = cell_value(text, path, line)
            if value is None:
                skipped.append(f"{path.name} line {line}: ketamine {age} {year} '{text}' ({note})")
                continue
            table_no = number[1] if number else "?"
            found.append(observation(kind, age, year, value, note, italic, table_no, edition))
    return found, skipped


def column_of(text: str) -> tuple[str, str]:
    year = YEAR.search(text)
    age = YEAR.sub("", text).strip().replace("Aged", "aged")
    return age, year[1] if year else ""


def cell_value(text: str, path: Path, line: int) -> tuple[float | None, str]:
    if text in NOT_NUMBERS:
        return None, NOT_NUMBERS[text]
    match = CELL.match(text)
    if not match:
        raise ParseError(
            f"'{excerpt(text, 30)}' is not a number in the Ketamine row", file=path, line=line
        )
    letter = match["letter"]
    note = (
        f"published as '{text}': significance letter '{letter}' (see the table's notes)"
        if letter
        else ""
    )
    return float(match["number"].replace(",", "")), note


def observation(kind, age, year, value, note, italic, table_no, edition) -> dict:
    measure, unit = kind
    caution = (
        "printed in italics: SAMHSA advises caution comparing with earlier years "
        "(methodological changes)"
        if italic
        else ""
    )
    return {
        "source": META.id,
        "indicator": f"nsduh_detailed_tables_ketamine_{measure}_{unit}",
        "geography": "United States",
        "period_start": pd.Timestamp(f"{year}-01-01").date(),
        "period_end": pd.Timestamp(f"{year}-12-31").date(),
        "period_label": year,
        "stratum": age,
        "value": value,
        "unit": "thousands of people" if unit == "thousands" else "percent",
        "flags": "",
        "note": "; ".join(filter(None, [note, caution])),
        "citation": f"{CITATION}, {edition} edition, Table {table_no}",
        "citation_url": HOMEPAGE,
        "vintage": f"NSDUH {edition} detailed tables",
    }


def indicator_frame(ids: list[str]) -> pd.DataFrame:
    rows = []
    for indicator in ids:
        measure = "past-year" if "past_year" in indicator else "lifetime"
        thousands = indicator.endswith("thousands")
        rows.append(
            {
                "id": indicator,
                "source": META.id,
                "label": f"Ketamine {measure} use, US, "
                + ("people (thousands)" if thousands else "percent of age group"),
                "definition": (
                    f"NSDUH {measure} ketamine use among people aged 12 or older, by age group, "
                    "from SAMHSA's detailed tables as published"
                ),
                "unit": "thousands of people" if thousands else "percent",
                "domain": "misuse",
                "comparability": (
                    "Compare years within one mode only: 2020 (web and in-person, two quarters) "
                    "is not comparable with 2019, nor 2021 on with 2020"
                ),
                "series_breaks": "",
                "substance": "ketamine",
            }
        )
    return pd.DataFrame(rows).reindex(columns=list(INDICATOR_COLUMNS))


SOURCE = NsduhDetailedTables()
