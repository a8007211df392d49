"""What the openFDA source is: the endpoint, the request limits, the count queries and `META`
(licence, citation, one remote file per query). The package docstring says what it counts and
its caveats."""

from __future__ import annotations

from etl.contract import RemoteFile, SourceMeta

ENDPOINT = "https://api.fda.gov/drug/event.json"
HOMEPAGE = "https://open.fda.gov/apis/drug/event/"
KEY_ENV = "OPENFDA_API_KEY"
PER_MINUTE = 240
PER_DAY_WITHOUT_KEY = 1_000
PER_DAY_WITH_KEY = 120_000
DRUGS = {
    "ketamine": 'patient.drug.openfda.generic_name.exact:"KETAMINE HYDROCHLORIDE"',
    "esketamine": 'patient.drug.activesubstance.activesubstancename.exact:"ESKETAMINE"',
}
# name -> count field ("" = a total: limit=1, read meta.results.total)
COUNTS = {
    "receivedate": "receivedate",
    "reactions": "patient.reaction.reactionmeddrapt.exact",
    "serious": "serious",
    "death": "seriousnessdeath",
    "sex": "patient.patientsex",
    "agegroup": "patient.patientagegroup",
    "qualification": "primarysource.qualification",
    "total": "",
}
BACKGROUND = {"receivedate": "receivedate", "reactions": "patient.reaction.reactionmeddrapt.exact",
              "total": ""}  # fmt: skip


def queries() -> dict[str, dict[str, str]]:
    """RemoteFile name -> query parameters (without the key)."""
    out: dict[str, dict[str, str]] = {}
    for drug, search in DRUGS.items():
        for name, field in COUNTS.items():
            out[f"{drug}_{name}"] = _params(search, field)
    for name, field in BACKGROUND.items():
        out[f"all_{name}"] = _params(None, field)
    return out


def _params(search: str | None, field: str) -> dict[str, str]:
    params = {"search": search} if search else {}
    if field:
        params["count"] = field
        if field != "receivedate":
            params["limit"] = "1000"
    else:
        params["limit"] = "1"
    return params


META = SourceMeta(
    id="openfda",
    title="openFDA drug adverse event counts (ketamine, esketamine)",
    publisher="U.S. Food and Drug Administration (openFDA)",
    homepage=HOMEPAGE,
    licence="Public domain (openFDA terms, CC0 1.0 dedication): https://open.fda.gov/terms/",
    citation=(
        "U.S. Food and Drug Administration. openFDA drug adverse event API (/drug/event.json), "
        "FAERS data. " + HOMEPAGE
    ),
    cadence="quarterly",
    domain="adverse_events",
    remote_files=tuple(
        RemoteFile(name=name, url=ENDPOINT, pattern=f"*openfda-{name}.json", kind="json")
        for name in queries()
    ),
    counts="FAERS safety reports as served by openFDA (latest version of each report)",
    caveats=(
        "Reports are not incidence and not proof of causation; duplicates across senders remain; "
        "the latest quarter is partial."
    ),
    detail_tables=("openfda_counts", "openfda_reaction_counts", "openfda_signals"),
)
