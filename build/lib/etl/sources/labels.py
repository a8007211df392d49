"""FDA drug labels (openFDA /drug/label) for Spravato and Ketalar: indications, warnings, REMS.

What it holds: label text, not numbers. One row per (label, section) in the detail table
`drug_labels`: the indications and usage, the boxed warning, and the passages that mention the
REMS (Risk Evaluation and Mitigation Strategy), each with a link to the label on DailyMed (by
SPL set id) and the openFDA query it came from.

Caveats, and why each choice was made:
- A label is what the manufacturer filed and FDA approved; it is context for the approved uses,
  not evidence about off-label use, and not medical advice.
- openFDA serves the current version of each label (`effective_time`); older versions are not
  kept here. Generic ketamine labels (many ANDA holders) are left out: the brand (Ketalar) carries
  the same indications and warnings.
- openFDA has no REMS field: passages are picked from the label sections by the words "REMS" or
  "Risk Evaluation and Mitigation Strategy".
- A response holding fewer labels than openFDA says matched (`meta.results.total`) is refused
  rather than read in part; `openfda` is `{}` for labels openFDA cannot link to a product, which
  leaves brand, generic name and maker blank on those rows.
- Live only. The seed has no rows: the approval facts are dated events in the `milestones` source,
  and label text is not copied into the repository.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from etl.contract import ParseError, RemoteFile, SourceFiles, SourceMeta, Tables
from etl.sources.openfda import KEY_ENV

if TYPE_CHECKING:
    from etl.http import HttpClient

API_URL = "https://api.fda.gov/drug/label.json"
BRANDS: tuple[str, ...] = ("SPRAVATO", "KETALAR")
DAILYMED = "https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={}"
HOMEPAGE = "https://open.fda.gov/apis/drug/label/"
CITATION = "U.S. Food and Drug Administration. openFDA drug labeling API (/drug/label). " + HOMEPAGE
SECTIONS = {
    "indications_and_usage": "Indications and usage",
    "boxed_warning": "Boxed warning",
}
REMS_FIELDS = (
    "boxed_warning",
    "warnings_and_cautions",
    "warnings",
    "dosage_and_administration",
    "spl_unclassified_section",
)
REMS_PATTERN = re.compile(r"\bREMS\b|Risk Evaluation and Mitigation Strateg", re.I)
LABEL_COLUMNS = (
    "brand",
    "generic_name",
    "manufacturer",
    "application_number",
    "set_id",
    "label_id",
    "version",
    "effective_date",
    "section",
    "text",
    "source_url",
    "api_query",
)

META = SourceMeta(
    id="labels",
    title="FDA drug labels: Spravato and Ketalar",
    publisher="U.S. Food and Drug Administration (openFDA)",
    homepage=HOMEPAGE,
    licence="openFDA data: public domain (CC0 1.0 dedication); see https://open.fda.gov/terms/",
    citation=CITATION,
    cadence="live (labels change when FDA approves a revision)",
    domain="therapeutic",
    counts="label sections (text), not numbers",
    caveats="Current label versions only; a label is not evidence about off-label use.",
    remote_files=(
        RemoteFile(name="labels", url="", pattern="*label*.json", kind="json", many=True),
    ),
    allowed_hosts=("api.fda.gov",),
    detail_tables=("drug_labels",),
)


class Labels:
    meta = META

    def __init__(self, api_url: str = API_URL, brands: Iterable[str] = BRANDS) -> None:
        self.api_url = api_url
        self.brands = tuple(brands)

    def fetch(self, client: HttpClient, dest: Path) -> SourceFiles:
        """One openFDA query per brand, written as `label-<brand>.json` (404 = no label)."""
        from etl.http import FetchError

        dest.mkdir(parents=True, exist_ok=True)
        written = []
        for brand in self.brands:
            params = {"search": brand_query(brand), "limit": "10"}
            if key := os.environ.get(KEY_ENV):
                params["api_key"] = key
            try:
                body = client.get_json(self.api_url, params=params)
            except FetchError as error:
                if error.status == 404:  # openFDA's answer when nothing matches
                    continue
                raise
            body["query"] = brand_query(brand)
            path = dest / f"label-{brand.lower()}.json"
            path.write_text(json.dumps(body))
            written.append(path)
        return {"labels": written} if written else {}

    def parse(self, files: SourceFiles) -> Tables:
        rows = [row for path in files.get("labels", []) for row in label_rows(path)]
        frame = pd.DataFrame.from_records(rows, columns=list(LABEL_COLUMNS))
        return Tables(details={"drug_labels": frame})


def brand_query(brand: str) -> str:
    return f'openfda.brand_name:"{brand}"'


def first(values: Any) -> str:
    if isinstance(values, list):
        return "; ".join(str(v) for v in values[:3])
    return "" if values is None else str(values)


def rems_passages(result: dict) -> list[str]:
    passages: list[str] = []
    for field in REMS_FIELDS:
        for text in result.get(field) or []:
            for sentence in re.split(r"(?<=[.;])\s+", str(text)):
                if REMS_PATTERN.search(sentence) and sentence.strip() not in passages:
                    passages.append(sentence.strip())
    return passages


def effective_date(text: str) -> str:
    match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text or "")
    return f"{match[1]}-{match[2]}-{match[3]}" if match else ""


def check_complete(body: dict, path: Path) -> None:
    """openFDA returns at most `limit` results; meta.results.total says how many matched.
    A response holding fewer would silently drop labels, so it is refused."""
    paging = (body.get("meta") or {}).get("results") or {}
    total, skip = paging.get("total"), paging.get("skip") or 0
    if isinstance(total, int) and total > skip + len(body["results"]):
        raise ParseError(
            f"openFDA matched {total} labels but the response holds {len(body['results'])}"
            " (raise the query's limit)",
            file=path,
        )


def label_rows(path: Path) -> list[dict]:
    try:
        body = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParseError(f"not JSON ({error})", file=path) from error
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise ParseError("no 'results' list (not an openFDA /drug/label response)", file=path)
    check_complete(body, path)
    rows = []
    for index, result in enumerate(body["results"]):
        openfda = result.get("openfda") or {}
        set_id = result.get("set_id")
        if not set_id:
            raise ParseError(f"result {index} has no set_id", file=path)
        base = {
            "brand": first(openfda.get("brand_name")),
            "generic_name": first(openfda.get("generic_name")),
            "manufacturer": first(openfda.get("manufacturer_name")),
            "application_number": first(openfda.get("application_number")),
            "set_id": set_id,
            "label_id": result.get("id", ""),
            "version": str(result.get("version", "")),
            "effective_date": effective_date(str(result.get("effective_time", ""))),
            "source_url": DAILYMED.format(set_id),
            "api_query": f"{API_URL}?search={body.get('query', '')}",
        }
        for field, section in SECTIONS.items():
            text = "\n\n".join(str(t) for t in result.get(field) or [])
            if text:
                rows.append(base | {"section": section, "text": text})
        passages = rems_passages(result)
        if passages:
            rows.append(base | {"section": "REMS (passages)", "text": "\n".join(passages)})
    return rows


SOURCE = Labels()
