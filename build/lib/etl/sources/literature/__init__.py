"""Published figures read in papers, agency fact sheets, bulletins and parliamentary answers.

What it counts: whatever each publication counted (poison-center exposures, survey prevalence,
deaths, seizures, FAERS report summaries, prescriptions, trial counts ...), one row per published
number, each with its citation. The file is curated by hand (`published_figures.csv`, from
`shared/data/reference/`, see its CURATION.md), so there is no publisher URL to fetch; it is
refreshed by updating the seed, or from `--mirror DIR/literature/`.

Choices and caveats:
- One indicator per (publication, indicator wording, unit). Two studies of "ketamine exposures"
  (the NPDS annual-report category "ketamine and analogs" and a paper's own extract) are two
  series, never one line.
- The curator's `tier` (primary: the producer of the number; secondary: news, blog, campaign page,
  parliamentary answer, "as cited in") and `verified` (where the value was read) are required
  columns. A `secondary` row is flagged `secondary` (on top of the wording rules below), so the
  dashboard can show primary figures by default; a `primary` row the curator verified in its
  primary is never flagged `secondary` by wording left over from where it was first seen (the
  tier decides: DESIGN, "Primary sources first"). A row whose `verified` says "do not use"
  (implausible values) is never drawn: it goes to `literature_set_aside` with the reason.
  Every figure's tier, verification note, where it was seen and what became of it (drawn,
  duplicate, conflict, undated, set aside, carried by another source) is in `literature_figures`.
- Clinic and seller links never reach the warehouse (`etl/links.py`, hosts in
  `etl/data/withheld_link_hosts.csv`): the URL is dropped and every mention of the host in the
  citation text, publication, where-seen and verification text is replaced by a neutral phrase.
  A row whose only link was such a site stays, flagged `secondary`, with no link and a citation
  naming the publication it reports (its `source` and citation text); if nothing but the site
  names where the number came from, it goes to `literature_set_aside` instead.
- Periods are parsed as published; a span (`2019-2023`, `2019-07/2023-06`) stays a span. Rows
  whose period cannot be placed on a time axis (`period not stated`) go to the detail table
  `literature_undated` with the reason, rather than being dropped or guessed.
- Flags come from rules kept as data (`etl/data/literature_rules.csv`): `secondary` when the
  citation says the figure was read in a news item, blog or quotation or conflicts with another
  source; `approximate`, `projected` and `unreliable` from the published wording. The same file
  holds the `substance` each indicator counts (ketamine, esketamine, a named comparator, all
  drugs) and the `measure` tags that keep look-alike definitions apart.
- Vintage is the publication, never the date the file was curated: the year of publication read
  from the citation text ("published 2018 (...)"), or "publication year not stated: ...".
- Units keep their meaning; remarks in brackets ("persons (approx.)") become flags and notes.
  Tonnes are converted to kilograms so one series has one unit.
- One published number is one point, wherever it was transcribed, and the same measure with two
  values is a conflict shown with both citations: `literature/measures.py` says how "the same
  measure" is decided (not by citation URL), which row is drawn, and the conflict policy.
  Repeats go to `literature_duplicates` (`duplicate_of`), conflicts to `literature_conflicts`.
- Rows that a dedicated source carries (NFLIS yearly counts, CMS Part D Spravato rows, ONS
  totals, EUDA city loads) are routed there, not duplicated.
- Series breaks are data (`etl/data/series_breaks.csv`, applied by `etl/series_breaks.py`): the
  NSDUH 2015 redesign, 2020 (two quarters only) and 2021 mode change, MTF dropping the 8th/10th
  grade question after 2011, the CSEW gap 2020/21-2021/22. They fill `indicators.series_breaks`,
  note the values inside a caveat period, and become `events` rows (category "survey or method
  change", source `literature`, each with its citation) that time charts draw as rules.
- The claims of a consumer article about ketamine's uses, each with a verdict and a primary
  citation (`claim_evidence.csv`, a second file of this source), become the detail table `claims`
  (`literature/claims.py`), linked to the warehouse series that bear on them.
"""

from __future__ import annotations

from etl.contract import SourceFiles, Tables
from etl.links import withheld_hosts
from etl.series_breaks import apply_breaks
from etl.sources.literature.claims import build_claims
from etl.sources.literature.convert import convert_figures
from etl.sources.literature.fates import detail, figure_register, split_set_aside, withhold_links
from etl.sources.literature.figures import read_figures
from etl.sources.literature.measures import collapse_same_numbers, split_conflicts, with_keys
from etl.sources.literature.meta import META
from etl.sources.literature.rules import load_rules
from etl.sources.literature.tables import build_tables

__all__ = ["META", "SOURCE", "Literature"]


class Literature:
    meta = META

    def parse(self, files: SourceFiles) -> Tables:
        figures = withhold_links(read_figures(files["figures"][0]), hosts=withheld_hosts())
        rules = load_rules()
        converted = convert_figures(figures, rules=rules)
        usable, set_aside = split_set_aside(converted[converted["route"] == self.meta.id])
        dated = with_keys(usable[usable["period_start"].notna()])
        kept, duplicates = collapse_same_numbers(dated)
        kept, conflicts = split_conflicts(kept)
        undated = usable[usable["period_start"].isna()]
        tables = build_tables(kept, undated, source_id=self.meta.id)
        tables.details["literature_duplicates"] = detail(duplicates)
        tables.details["literature_conflicts"] = detail(conflicts)
        tables.details["literature_set_aside"] = detail(set_aside)
        publications = dict(zip(kept["indicator"], kept["publication"], strict=True))
        tables.observations, tables.indicators, tables.events = apply_breaks(
            tables.observations, tables.indicators, publications, source_id=self.meta.id
        )
        tables.details["literature_figures"] = figure_register(converted, tables.details)
        tables.details["claims"] = build_claims(files.get("claims", []), tables.indicators)
        return tables


SOURCE = Literature()
