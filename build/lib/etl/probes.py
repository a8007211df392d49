"""One small request per live source, its answer checked by the code the refresh parses it with.

`ketamine-watch doctor` asks each publisher one question before tonight's refresh does: a count
query (openFDA), a one-study page (ClinicalTrials.gov), one label (openFDA labels), one brand's
rows (CMS data API), the landing page whose links name the files (FAERS, EUDA), or the first few
kB of a file (NFLIS, ONS). The answer goes through the source's own `parse` (or, for files, the
same content and header check a download gets, `etl.content_check`; for landing pages, the same
link finder), so a probe passes exactly when the refresh could read what the publisher serves.

Each probe gets one attempt with short timeouts: no backoff, no Retry-After waits. Results:

- `ok`: answered, and the answer has the shape we parse;
- `unreachable`: no answer (DNS, connection, timeout, dropped body) or a 5xx;
- `changed`: an answer we cannot parse: a renamed field or column, an HTML page instead of a
  CSV, a landing page without the file links, a 404 for a file the source names;
- `refused`: 401, 403 or 429 (a bad or missing API key, a block, a rate limit).

Caveats: a probe reads a sample, not the release: a file's first kB proves its header, not every
row; a one-record page proves the record's shape, not the total. Curated sources (no publisher
URL) have nothing to probe. `base_url` sends every probe to another host, keeping path and
query (a replay server in tests, or a forward proxy), the way `refresh --mirror URL` redirects
the refresh.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from etl.content_check import check_content
from etl.contract import ApiSource, ParseError, Source
from etl.faers.remote import quarter_links
from etl.http import FetchError, HttpClient
from etl.landing import file_name, links_matching
from etl.sources import clinicaltrials, labels, openfda
from etl.sources.cms_partd.meta import slug as brand_slug

OK, UNREACHABLE, CHANGED, REFUSED = "ok", "unreachable", "changed", "refused"
REFUSING = frozenset({401, 403, 429})
HEAD_BYTES = 8192  # a file's first bytes: its header line(s) or magic number
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0
TOTAL_TIMEOUT = 8.0  # one probe's whole answer; the doctor's own deadline bounds them all
MAX_BYTES = 20_000_000  # an openFDA date count is ~200 kB; a landing page well under 1 MB


@dataclass(frozen=True)
class ProbeResult:
    status: str  # ok | unreachable | changed | refused
    detail: str


Probe = Callable[[Source, HttpClient, Path, str | None], str]
"""(source, client, scratch folder, base_url) -> detail when ok; raises when not."""


class ShapeChanged(ValueError):
    """The publisher answered, but not in the shape the parser reads."""


def rebase(url: str, base: str | None) -> str:
    """`url` sent to `base` instead of its own host: scheme and host (and a path prefix) from
    `base`, path and query from `url`."""
    if not base:
        return url
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return base.rstrip("/") + (parts.path or "/") + query


def probe_url(source: Source) -> str:
    """The one URL a source's probe asks (before `rebase`); '' for a curated source."""
    special = {
        "openfda": lambda s: s.endpoint,
        "clinicaltrials": lambda s: s.api_url,
        "labels": lambda s: s.api_url,
        "cms_partd": lambda s: s.api_url,
        "faers_quarterly": lambda s: s.landing,
        "euda_wastewater": lambda s: s.landing,
        "unodc_wdr": lambda s: s.landings[0],
    }
    if source.meta.id in special:
        return str(special[source.meta.id](source))
    remote = first_required_file(source)
    return remote.url if remote else ""


def probed_sources(sources: tuple[Source, ...]) -> list[Source]:
    """The sources with something live to ask: an API, a landing page or a file URL."""
    return [s for s in sources if probe_url(s)]


def make_probe_client(source: Source, base: str | None) -> HttpClient:
    """One attempt, short timeouts; hosts as the refresh allows them (etl.fetch.make_client)."""
    hosts = {urlsplit(r.url).hostname for r in source.meta.remote_files if r.url}
    hosts |= set(source.meta.allowed_hosts) | {urlsplit(probe_url(source)).hostname}
    insecure: set[str] = set()
    if base:
        target = urlsplit(base)
        hosts.add(target.hostname)
        if target.scheme == "http":
            insecure.add(target.hostname or "")
    return HttpClient(
        allowed_hosts=sorted(h for h in hosts if h),
        allow_insecure_hosts=insecure,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        total_timeout=TOTAL_TIMEOUT,
        max_bytes=MAX_BYTES,
        max_attempts=1,
    )


def probe(source: Source, base: str | None = None) -> ProbeResult:
    """Ask the source's publisher one question and say whether the refresh could read it."""
    runner = PROBES.get(source.meta.id, probe_file)
    with tempfile.TemporaryDirectory(prefix="ketamine-watch-doctor-") as scratch:
        try:
            with make_probe_client(source, base) as client:
                return ProbeResult(OK, runner(source, client, Path(scratch), base))
        except FetchError as error:
            return ProbeResult(classify(error), str(error))
        except (ShapeChanged, ParseError) as error:
            return ProbeResult(CHANGED, str(error))
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
            # A parser meeting a field it did not expect (a renamed key, a list for a number).
            return ProbeResult(CHANGED, f"{error.__class__.__name__}: {error}")


def classify(error: FetchError) -> str:
    if error.status in REFUSING:
        return REFUSED
    if error.transient or (error.status is not None and error.status >= 500):
        return UNREACHABLE
    return CHANGED  # a 404 or redirect loop for a named file, an HTML page, a wrong header


# -- the probes ---------------------------------------------------------------------------------


def first_required_file(source: Source) -> Any:
    for remote in source.meta.remote_files:
        if remote.url and not remote.optional and remote.kind != "folder":
            return remote
    return None


def probe_file(source: Source, client: HttpClient, scratch: Path, base: str | None) -> str:
    """The first kB of the source's (first required) file, through the download's own check."""
    remote = first_required_file(source)
    head = client.get_start(rebase(remote.url, base), size=HEAD_BYTES)
    path = scratch / f"head.{remote.kind}"
    path.write_bytes(head)
    problem = check_content(path, expect=remote.kind, header=remote.header)
    name = shown_name(remote.url) or remote.name
    if problem:
        raise ShapeChanged(f"{name}: {problem}")
    if remote.header:
        return f"{name}: header has {', '.join(remote.header)}"
    return f"{name}: starts as a {remote.kind} file does"


def shown_name(url: str) -> str:
    """The file's name, also when the path is a handler (ONS's `/file?uri=.../name.xlsx`)."""
    inner = parse_qs(urlsplit(url).query).get("uri")
    return file_name(inner[0]) if inner else file_name(url)


def _api_key(params: dict[str, str]) -> dict[str, str]:
    key = os.environ.get(openfda.KEY_ENV, "").strip()
    return params | {"api_key": key} if key else params


def _save(body: Any, scratch: Path, name: str) -> Path:
    path = scratch / name
    path.write_text(json.dumps(body))
    return path


def probe_openfda(source: Source, client: HttpClient, scratch: Path, base: str | None) -> str:
    """The ketamine reports-per-day count (the refresh's main series), parsed by the source."""
    params = _api_key({"search": openfda.DRUGS["ketamine"], "count": "receivedate"})
    body = client.get_json(rebase(source.endpoint, base), params=params)
    path = _save(body, scratch, "openfda-ketamine_receivedate.json")
    tables = source.parse({"ketamine_receivedate": [path]})
    series = tables.observations
    if series.empty:
        raise ShapeChanged("the ketamine receivedate count gave no quarters (no results list?)")
    updated = body.get("meta", {}).get("last_updated", "?")
    return f"{len(series)} quarters to {series['period_label'].iloc[-1]}, updated {updated}"


def probe_clinicaltrials(
    source: Source, client: HttpClient, scratch: Path, base: str | None
) -> str:
    """A page of one study for the refresh's own query, parsed by the source."""
    params = dict(clinicaltrials.QUERY) | {"pageSize": "1"}
    body = client.get_json(rebase(source.api_url, base), params=params)
    if not isinstance(body, dict) or not isinstance(body.get("studies"), list):
        raise ShapeChanged("the answer has no 'studies' list (not an API v2 page)")
    if not body["studies"]:
        raise ShapeChanged("the ketamine query returned no study")
    # One page of many by design: without its totalCount, the parser's missing-page check
    # (pages listing fewer studies than the total) does not apply.
    page = {key: value for key, value in body.items() if key != "totalCount"}
    tables = source.parse({"pages": [_save(page, scratch, "page-0001.json")]})
    study = tables.details["trials"]["nct_id"].iloc[0]
    return f"totalCount {body.get('totalCount', '?')}; first study {study} parsed"


def probe_labels(source: Source, client: HttpClient, scratch: Path, base: str | None) -> str:
    """One label of the first brand, parsed by the source."""
    brand = source.brands[0]
    params = _api_key({"search": labels.brand_query(brand), "limit": "1"})
    body = client.get_json(rebase(source.api_url, base), params=params)
    tables = source.parse({"labels": [_save(body, scratch, "label-probe.json")]})
    if tables.details["drug_labels"].empty:
        raise ShapeChanged(f"the {brand} label has no indications or boxed warning section")
    return f"{brand} label: {len(tables.details['drug_labels'])} sections parsed"


def probe_cms_partd(source: Source, client: HttpClient, scratch: Path, base: str | None) -> str:
    """The first brand's rows from the data API, parsed by the source."""
    brand = source.brands[0]
    rows = client.get_json(rebase(source.api_url, base), params={"filter[Brnd_Name]": brand})
    if not isinstance(rows, list) or not rows:
        raise ShapeChanged(f"no Part D rows for brand {brand!r}")
    tables = source.parse({"api": [_save(rows, scratch, f"partd_{brand_slug(brand)}.json")]})
    if tables.observations.empty:
        raise ShapeChanged(f"{brand}: no Overall row with claims, beneficiaries and spending")
    years = tables.observations["period_label"]
    return f"{brand}: data years {years.min()}-{years.max()}"


def probe_faers(source: Source, client: HttpClient, scratch: Path, base: str | None) -> str:
    """FDA's landing page, its quarter links found by the refresh's own link finder."""
    landing = rebase(source.landing, base)
    links = quarter_links(client.get_text(landing), landing)
    if not links:
        raise ShapeChanged("no faers_ascii_YYYYqN.zip link on the landing page")
    return f"{len(links)} quarters linked, newest {links[0].label}"


def probe_euda(source: Source, client: HttpClient, scratch: Path, base: str | None) -> str:
    """EUDA's page, its data links found by the refresh's own link finder. Like the refresh, it
    tries each address the page has had (the newest first) until one answers."""
    landings = [rebase(url, base) for url in getattr(source, "landings", (source.landing,))]
    required = [r for r in source.meta.remote_files if not r.optional]
    for landing in landings[:-1]:
        try:
            page = client.get_text(landing)
        except FetchError:
            continue
        if all(links_matching(page, landing, r.pattern) for r in required):
            return euda_links(source, page, landing)
    return euda_links(source, client.get_text(landings[-1]), landings[-1])


def euda_links(source: Source, page: str, landing: str) -> str:
    found = []
    for remote in source.meta.remote_files:
        links = sorted(links_matching(page, landing, remote.pattern), key=file_name)
        if not links and not remote.optional:
            raise ShapeChanged(f"no link matching {remote.pattern} on the EUDA page")
        if links:
            found.append(file_name(links[-1]))
    return "linked: " + ", ".join(found)


PROBES: dict[str, Probe] = {
    "openfda": probe_openfda,
    "clinicaltrials": probe_clinicaltrials,
    "labels": probe_labels,
    "cms_partd": probe_cms_partd,
    "faers_quarterly": probe_faers,
    "euda_wastewater": probe_euda,
    "unodc_wdr": probe_euda,  # the same landing-page link finder, the same patterns as a mirror
}


def needs_own_probe(source: Source) -> bool:
    """An ApiSource's live data is not at a file URL, so the file probe cannot stand in."""
    return isinstance(source, ApiSource) and source.meta.id not in PROBES
