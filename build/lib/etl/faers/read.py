"""Read one FAERS / legacy AERS table file with DuckDB's CSV reader, mapped onto one schema.

The files are `$`-delimited with a header row and no quoting. What varies, and how it is handled:

- Layout: FAERS names the report `primaryid` (+ `caseid`, `caseversion`); legacy AERS names it
  `isr` (+ `case`), has `gndr_cod` for `sex`, no `prod_ai`, and ends every line with a `$`
  (an empty trailing column). `COLUMNS` maps each canonical column to the names it goes by.
- The header line is read in Python (one line) and normalised: UTF-8 BOM and CR stripped,
  lower-cased; the names are then passed to `read_csv(columns=...)` with `auto_detect=false`, so
  the sniffer never guesses. One spare column `_spare` is declared and `null_padding=true` set, so
  a trailing `$` on data lines and a ragged (short) last line both load; a line with more fields
  than that is an error.
- CRLF: DuckDB accepts `\\r\\n` line ends with `auto_detect=false`.
- Encoding: a file that is pure ASCII or valid UTF-8 is read as UTF-8; otherwise as latin-1 (FAERS
  free text carries latin-1 bytes). The check is a fast byte scan, so a bad guess never has to be
  retried inside the refresh's transaction.
- Ids are declared BIGINT in `read_csv`, so a non-numeric id fails with DuckDB's line number, which
  becomes `ParseError(line=...)`.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import duckdb

from etl.contract import ParseError

# canonical column -> (names in the files, SQL type). First name found wins.
COLUMNS: dict[str, dict[str, tuple[tuple[str, ...], str]]] = {
    "demo": {
        "primaryid": (("primaryid", "isr"), "BIGINT"),
        "caseid": (("caseid", "case"), "BIGINT"),
        "caseversion": (("caseversion",), "INTEGER"),
        "i_f_code": (("i_f_code", "i_f_cod"), "VARCHAR"),
        "event_dt": (("event_dt",), "VARCHAR"),
        "init_fda_dt": (("init_fda_dt",), "VARCHAR"),
        "fda_dt": (("fda_dt",), "VARCHAR"),
        "rept_cod": (("rept_cod",), "VARCHAR"),
        "mfr_sndr": (("mfr_sndr",), "VARCHAR"),
        "age": (("age",), "VARCHAR"),
        "age_cod": (("age_cod",), "VARCHAR"),
        "age_grp": (("age_grp",), "VARCHAR"),
        "sex": (("sex", "gndr_cod"), "VARCHAR"),
        "wt": (("wt",), "VARCHAR"),
        "wt_cod": (("wt_cod",), "VARCHAR"),
        "occp_cod": (("occp_cod",), "VARCHAR"),
        "reporter_country": (("reporter_country",), "VARCHAR"),
        "occr_country": (("occr_country",), "VARCHAR"),
    },
    "drug": {
        "primaryid": (("primaryid", "isr"), "BIGINT"),
        "caseid": (("caseid",), "BIGINT"),
        "drug_seq": (("drug_seq",), "BIGINT"),
        "role_cod": (("role_cod",), "VARCHAR"),
        "drugname": (("drugname",), "VARCHAR"),
        "prod_ai": (("prod_ai",), "VARCHAR"),
        "route": (("route",), "VARCHAR"),
        "dose_vbm": (("dose_vbm",), "VARCHAR"),
        "dechal": (("dechal",), "VARCHAR"),
        "rechal": (("rechal",), "VARCHAR"),
    },
    "reac": {
        "primaryid": (("primaryid", "isr"), "BIGINT"),
        "pt": (("pt",), "VARCHAR"),
        "drug_rec_act": (("drug_rec_act",), "VARCHAR"),
    },
    "outc": {
        "primaryid": (("primaryid", "isr"), "BIGINT"),
        "outc_cod": (("outc_cod", "outc_code"), "VARCHAR"),
    },
    "indi": {
        "primaryid": (("primaryid", "isr"), "BIGINT"),
        "indi_drug_seq": (("indi_drug_seq", "drug_seq"), "BIGINT"),
        "indi_pt": (("indi_pt",), "VARCHAR"),
    },
    "ther": {
        "primaryid": (("primaryid", "isr"), "BIGINT"),
        "dsg_drug_seq": (("dsg_drug_seq", "drug_seq"), "BIGINT"),
        "start_dt": (("start_dt",), "VARCHAR"),
        "end_dt": (("end_dt",), "VARCHAR"),
        "dur": (("dur",), "VARCHAR"),
        "dur_cod": (("dur_cod",), "VARCHAR"),
    },
    "rpsr": {
        "primaryid": (("primaryid", "isr"), "BIGINT"),
        "rpsr_cod": (("rpsr_cod",), "VARCHAR"),
    },
}
_NUMERIC = {"primaryid", "isr", "caseid", "case", "caseversion", "drug_seq", "indi_drug_seq",
            "dsg_drug_seq"}  # fmt: skip
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_LINE = re.compile(r"(?i)line:?\s*(\d+)")
_SCAN = 1 << 24


def read_header(path: Path) -> list[str]:
    """The normalised column names on the first line (BOM, CR, trailing `$` dropped)."""
    with path.open("rb") as f:
        first = f.readline(1 << 16)
    text = first.removeprefix(codecs.BOM_UTF8).decode("latin-1").strip().lower()
    if not text:
        raise ParseError("empty file: no header line", file=path, line=1)
    names = [n.strip() for n in text.split("$")]
    while names and names[-1] == "":
        names.pop()
    for name in names:
        if not _NAME.match(name):
            raise ParseError(f"header has an unexpected column name {name!r}", file=path, line=1)
    return names


def detect_encoding(path: Path) -> str:
    """'utf-8' if the file is ASCII or valid UTF-8, else 'latin-1'."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    ascii_so_far = True
    with path.open("rb") as f:
        while chunk := f.read(_SCAN):
            if ascii_so_far and chunk.isascii():
                continue
            ascii_so_far = False
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return "latin-1"
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def layout_of(header: list[str]) -> str:
    """'faers' (primaryid) or 'aers' (isr)."""
    if "primaryid" in header:
        return "faers"
    if "isr" in header:
        return "aers"
    return ""


def select_sql(kind: str, path: Path, quarter: str) -> str:
    """A SELECT of one file's rows in the canonical columns of `kind`, plus `quarter` and
    `layout`. The header is read and the encoding scanned here, once: callers keep the SQL and
    wrap it (`SELECT a, b FROM (<sql>) s WHERE ...`); DuckDB pushes the projection into
    `read_csv`, so columns a query does not use are never converted."""
    header = read_header(path)
    layout = layout_of(header)
    if not layout:
        raise ParseError(
            f"{kind.upper()} header has neither primaryid nor isr: {'$'.join(header)[:120]}",
            file=path,
            line=1,
        )
    columns = {name: ("BIGINT" if name in _NUMERIC else "VARCHAR") for name in header}
    if len(columns) != len(header):
        raise ParseError("header repeats a column name", file=path, line=1)
    columns["_spare"] = "VARCHAR"
    select = []
    for canonical, (names, sql_type) in COLUMNS[kind].items():
        found = next((n for n in names if n in columns), None)
        if found is None:
            select.append(f"NULL::{sql_type} AS {canonical}")
        elif columns[found] == sql_type:
            select.append(f'"{found}" AS {canonical}')
        else:
            select.append(f'CAST("{found}" AS {sql_type}) AS {canonical}')
    spec = "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"
    return (
        f"SELECT {', '.join(select)}, '{quarter}' AS quarter, '{layout}' AS layout "
        f"FROM read_csv({_sql_str(path)}, auto_detect=false, header=true, delim='$', "
        f"quote='', escape='', null_padding=true, columns={spec}, "
        f"encoding='{detect_encoding(path)}')"
    )


def run_on_file(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> None:
    """Execute a statement that reads `path`; a DuckDB error becomes a ParseError naming it."""
    try:
        con.execute(sql)
    except duckdb.Error as exc:
        raise as_parse_error(exc, path) from None


def create_stage(
    con: duckdb.DuckDBPyConnection, table: str, kind: str, columns: tuple[str, ...] = ()
) -> None:
    """A TEMP table for rows of `kind`: canonical columns (or only `columns`), quarter, layout."""
    wanted = [(c, t) for c, (_, t) in COLUMNS[kind].items() if not columns or c in columns]
    cols = ", ".join(f"{c} {t}" for c, t in wanted)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} ({cols}, quarter VARCHAR, layout VARCHAR)")


_CONVERT = re.compile(
    r'converting column "(?P<column>[^"]+)"\. Could not convert string "(?P<value>[^"]*)"'
)
_WIDTH = re.compile(r"Expected Number of Columns: (?P<expected>\d+) Found: (?P<found>\d+)")


def as_parse_error(exc: Exception, path: Path) -> ParseError:
    """DuckDB's CSV error as a plain sentence with the file and line: a cell that is not a
    whole number names its column and value; a line with too many fields says how many."""
    text = str(exc)
    m = _LINE.search(text)
    line = int(m.group(1)) if m else None
    if convert := _CONVERT.search(text):
        return ParseError(
            f"column {convert['column']}: {convert['value']!r} is not a whole number "
            "(report ids and sequence numbers are integers)",
            file=path,
            line=line,
        )
    if width := _WIDTH.search(text):
        # `expected` counts the spare column declared for a trailing '$'
        return ParseError(
            f"{width['found']} '$'-separated fields where the header names "
            f"{int(width['expected']) - 1} (a '$' inside a value, or a shifted line)",
            file=path,
            line=line,
        )
    first = next((line.strip() for line in text.splitlines() if line.strip()), text)
    detail = [line.strip() for line in text.splitlines()[1:4] if line.strip()]
    msg = "; ".join([first, *detail])[:500]
    return ParseError(msg, file=path, line=line)


def _sql_str(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
