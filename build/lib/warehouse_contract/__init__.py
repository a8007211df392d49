"""The named contract between the ETL, which writes the warehouse, and the dashboard, which reads
it: the source ids, tables, columns, indicator ids and indicator families (id prefixes) the
dashboard relies on. Neutral ground: it imports nothing from `etl/` or `dashboard/`, so the
dashboard can depend on it without depending on the ETL (DESIGN.md: the warehouse is the one
contract between them; this module gives that contract names).

`tests/test_warehouse_contract.py` builds the seed and the mirror warehouses and checks that every
name here exists in them, and scans `dashboard/` for ETL-shaped string literals outside this
module, so this stays the single place a name is spelled.

Caveats:
- Some names load only online or from a mirror holding files the shared mirror lacks (openFDA,
  ClinicalTrials.gov, FDA labels, full FAERS quarters). They are listed in `LIVE_ONLY` with the
  reason; the test checks their tables against a warehouse loaded from the hand-made fixtures.
- Columns are those the dashboard names (in SQL or on frames), not every column a table has:
  `SELECT *` readers depend only on the ones listed.
"""

from __future__ import annotations

# ---- sources (sources.id, observations.source, indicators.source) ------------------------------

LITERATURE = "literature"
MILESTONES = "milestones"
NFLIS = "nflis"
FAERS_QUARTERLY = "faers_quarterly"
OPENFDA = "openfda"
CLINICALTRIALS = "clinicaltrials"
CMS_PARTD = "cms_partd"
LABELS = "labels"
ONS_DRUG_POISONING = "ons_drug_poisoning"
EUDA_WASTEWATER = "euda_wastewater"
UNODC_WDR = "unodc_wdr"
NSDUH_DETAILED_TABLES = "nsduh_detailed_tables"

SOURCE_IDS = (
    LITERATURE,
    MILESTONES,
    NFLIS,
    FAERS_QUARTERLY,
    OPENFDA,
    CLINICALTRIALS,
    CMS_PARTD,
    LABELS,
    ONS_DRUG_POISONING,
    EUDA_WASTEWATER,
    UNODC_WDR,
    NSDUH_DETAILED_TABLES,
)

# ---- domains (indicators.domain) ---------------------------------------------------------------

MISUSE = "misuse"
POISON_CENTER = "poison_center"
ADVERSE_EVENTS = "adverse_events"
MORTALITY = "mortality"
SUPPLY = "supply"
WASTEWATER = "wastewater"
THERAPEUTIC = "therapeutic"

DOMAINS = (MISUSE, POISON_CENTER, ADVERSE_EVENTS, MORTALITY, SUPPLY, WASTEWATER, THERAPEUTIC)

# ---- event categories (events.category) --------------------------------------------------------

APPROVAL = "approval"


def cols(names: str) -> tuple[str, ...]:
    """Column names written as one space-separated string (short to read, one line each)."""
    return tuple(names.split())


# ---- tables ------------------------------------------------------------------------------------

SOURCES = "sources"
INDICATORS = "indicators"
OBSERVATIONS = "observations"
EVENTS = "events"
RUNS = "runs"
REVISIONS = "revisions"
SOURCE_FILES = "source_files"
LITERATURE_UNDATED = "literature_undated"
LITERATURE_CONFLICTS = "literature_conflicts"
LITERATURE_SET_ASIDE = "literature_set_aside"
LITERATURE_DUPLICATES = "literature_duplicates"
LITERATURE_FIGURES = "literature_figures"
CLAIMS = "claims"
WASTEWATER_SITES = "wastewater_sites"
FAERS_CASES = "faers_cases"
FAERS_REACTIONS = "faers_reactions"
FAERS_OUTCOMES = "faers_outcomes"
FAERS_QUARTERLY_COUNTS = "faers_quarterly_counts"
FAERS_LOADED_QUARTERS = "faers_loaded_quarters"
FAERS_REACTION_COUNTS = "faers_reaction_counts"
FAERS_SIGNALS = "faers_signals"
FAERS_COMPARATOR_SIGNALS = "faers_comparator_signals"  # vs an active comparator group
OPENFDA_COUNTS = "openfda_counts"
OPENFDA_REACTION_COUNTS = "openfda_reaction_counts"
OPENFDA_SIGNALS = "openfda_signals"
TRIALS = "trials"
DRUG_LABELS = "drug_labels"
UNODC_WDR_SEIZURES = "unodc_wdr_seizures"
UNODC_WDR_TRENDS = "unodc_wdr_trends"
# Aberration detection and alerts (etl/detect/): written by every refresh, after the sources.
ALERTS = "alerts"
ALERT_SERIES = "alert_series"
ALERT_EVALUATIONS = "alert_evaluations"
FAERS_SIGNAL_HISTORY = "faers_signal_history"
FAERS_TIME_TO_SIGNAL = "faers_time_to_signal"
ALERT_OPEN = "open"  # alerts.status of an alert this publish's data still put above threshold
ALERT_KIND_SIGNAL = "signal"  # alerts.kind of a new FAERS disproportionality signal

_LITERATURE_ROW = cols(
    "figure_id publication indicator_text domain geography period_label stratum value "
    "unit flags note citation citation_url"
)
_SIGNAL_ROW = cols(
    "ingredient pt a n_drug n_event n_total b c d prr prr_lower prr_upper ror ror_lower "
    "ror_upper chi2 evans ror_signal label_expected"
)

# table -> the columns the dashboard reads from it
COLUMNS: dict[str, tuple[str, ...]] = {
    SOURCES: cols(
        "id title publisher homepage citation domain origin vintage last_refresh "
        "last_success status message"
    ),
    INDICATORS: cols(
        "id source label definition unit domain comparability series_breaks substance role"
    ),
    OBSERVATIONS: cols(
        "source indicator geography period_start period_end period_label stratum value "
        "lower upper unit flags note citation citation_url vintage"
    ),
    EVENTS: cols("source date date_label precision category event agency"),
    RUNS: cols("run_id source mode started finished status origin rows message"),
    REVISIONS: cols("run_id source indicator geography period_label stratum previous_value value"),
    SOURCE_FILES: cols("source origin file location sha256 size retrieved_at"),
    LITERATURE_UNDATED: _LITERATURE_ROW,
    LITERATURE_CONFLICTS: _LITERATURE_ROW,
    LITERATURE_SET_ASIDE: (*_LITERATURE_ROW, "reason"),
    LITERATURE_DUPLICATES: (*_LITERATURE_ROW, "duplicate_of"),
    LITERATURE_FIGURES: cols("figure_id publication indicator_text tier status"),
    CLAIMS: cols(
        "claim_id claim kind verdict evidence citation_url citation_text series "
        "regulatory_pattern trial_area trial_conditions faers_ingredients faers_terms"
    ),
    WASTEWATER_SITES: cols("site_id city country latitude longitude population geography"),
    FAERS_CASES: cols(
        "primaryid file_quarter received_quarter ketamine_role esketamine_role "
        "age_years sex occp_cod"
    ),
    FAERS_REACTIONS: cols("primaryid pt quarter"),
    FAERS_OUTCOMES: cols("primaryid outc_cod quarter"),
    FAERS_QUARTERLY_COUNTS: cols("quarter ingredient role_scope reports"),
    FAERS_LOADED_QUARTERS: cols("quarter"),
    FAERS_REACTION_COUNTS: cols("ingredient pt a"),
    FAERS_SIGNALS: _SIGNAL_ROW,
    FAERS_COMPARATOR_SIGNALS: (*_SIGNAL_ROW, "comparator", "comparator_label"),
    OPENFDA_COUNTS: cols("ingredient dimension term label reports"),
    OPENFDA_REACTION_COUNTS: cols("ingredient pt reports"),
    OPENFDA_SIGNALS: _SIGNAL_ROW,
    TRIALS: cols("nct_id title start_year start_date_type conditions phase status area area_label"),
    DRUG_LABELS: cols("brand section text effective_date version source_url"),
    UNODC_WDR_SEIZURES: cols(
        "region subregion country ms_code year kilograms record records_in_year shown note"
    ),
    UNODC_WDR_TRENDS: cols("region subregion country year age_group category direction size"),
    ALERTS: cols(
        "alert_id kind series_key source indicator label geography stratum unit period_label "
        "period_start value expected threshold method rule reason raised_run raised_at "
        "checked_run status"
    ),
    ALERT_SERIES: cols(
        "series_key source indicator label unit geography stratum frequency kind points rule "
        "method status reference"
    ),
    ALERT_EVALUATIONS: cols(
        "series_key indicator geography stratum unit period_start period_label value expected "
        "threshold alarm method rule reason"
    ),
    FAERS_SIGNAL_HISTORY: cols(
        "ingredient pt quarter a prr prr_lower prr_upper ror ror_lower ror_upper evans "
        "label_expected"
    ),
    FAERS_TIME_TO_SIGNAL: cols("ingredient pt first_signal_quarter a prr ror_lower label_expected"),
}
TABLES = tuple(COLUMNS)

# ---- indicators (indicators.id, observations.indicator) ----------------------------------------

# FAERS quarterly reports per quarter, by drug and by the drug's role in the report:
# (drug, "any" | "suspect") -> indicator id.
FAERS_QUARTERLY_REPORTS: dict[tuple[str, str], str] = {
    ("ketamine", "any"): "faers_quarterly_ketamine_reports",
    ("ketamine", "suspect"): "faers_quarterly_ketamine_suspect_reports",
    ("esketamine", "any"): "faers_quarterly_esketamine_reports",
    ("esketamine", "suspect"): "faers_quarterly_esketamine_suspect_reports",
}
# openFDA reports per quarter, by drug.
OPENFDA_REPORTS: dict[str, str] = {
    "ketamine": "openfda_ketamine_reports",
    "esketamine": "openfda_esketamine_reports",
}
CMS_PARTD_CLAIMS_SPRAVATO = "cms_partd_claims_spravato"
CMS_PARTD_BENEFICIARIES_SPRAVATO = "cms_partd_beneficiaries_spravato"
CMS_PARTD_SPENDING_SPRAVATO = "cms_partd_spending_spravato"
NFLIS_CLUB_DRUGS_FENTANYL_PCT = "nflis_monthly_club_drugs_fentanyl_pct"
# UNODC annex: kg of ketamine and PCP-type substances seized (one drawn record per country-year),
# and past-year prevalence by country in the general and the youth population tables.
UNODC_SEIZURES_KETAMINE_PCP = "unodc_wdr_seizures_ketamine_pcp"
UNODC_PREVALENCE_GENERAL_PAST_YEAR = "unodc_wdr_prevalence_general_past_year"
UNODC_PREVALENCE_YOUTH_PAST_YEAR = "unodc_wdr_prevalence_youth_past_year"

INDICATOR_IDS = (
    *FAERS_QUARTERLY_REPORTS.values(),
    *OPENFDA_REPORTS.values(),
    CMS_PARTD_CLAIMS_SPRAVATO,
    CMS_PARTD_BENEFICIARIES_SPRAVATO,
    CMS_PARTD_SPENDING_SPRAVATO,
    NFLIS_CLUB_DRUGS_FENTANYL_PCT,
    UNODC_SEIZURES_KETAMINE_PCP,
    UNODC_PREVALENCE_GENERAL_PAST_YEAR,
    UNODC_PREVALENCE_YOUTH_PAST_YEAR,
)

# Families: every indicator whose id starts with the prefix (a source's own series of one kind).
NFLIS_REPORTS_FAMILY = "nflis_reports_"  # NFLIS lab reports per substance, one id each
ONS_DEATHS_FAMILY = "ons_drug_poisoning_deaths_"  # ONS deaths per substance mentioned
NFLIS_STATE_FAMILY = "nflis_state_"  # NFLIS samples by US state x year (geography US-XX)

INDICATOR_FAMILIES = (NFLIS_REPORTS_FAMILY, ONS_DEATHS_FAMILY, NFLIS_STATE_FAMILY)

# ---- names that neither the seed nor the shared mirror loads, and why -------------------------

_FAERS_WHY = (
    "FAERS quarter zips are loaded online or from a mirror holding full quarters; the shared "
    "mirror holds two format samples, which the ETL refuses (no report names ketamine)"
)
_OPENFDA_WHY = "openFDA counts come from the live API only (no seed, no mirror file)"
_CTGOV_WHY = "the ClinicalTrials.gov registry comes from the live API only"
_LABELS_WHY = "FDA label text comes from the live openFDA label API only"

LIVE_ONLY: dict[str, str] = {
    FAERS_CASES: _FAERS_WHY,
    FAERS_REACTIONS: _FAERS_WHY,
    FAERS_OUTCOMES: _FAERS_WHY,
    FAERS_QUARTERLY_COUNTS: _FAERS_WHY,
    FAERS_LOADED_QUARTERS: _FAERS_WHY,
    FAERS_REACTION_COUNTS: _FAERS_WHY,
    FAERS_SIGNALS: _FAERS_WHY,
    FAERS_COMPARATOR_SIGNALS: _FAERS_WHY,
    **dict.fromkeys(FAERS_QUARTERLY_REPORTS.values(), _FAERS_WHY),
    OPENFDA_COUNTS: _OPENFDA_WHY,
    OPENFDA_REACTION_COUNTS: _OPENFDA_WHY,
    OPENFDA_SIGNALS: _OPENFDA_WHY,
    **dict.fromkeys(OPENFDA_REPORTS.values(), _OPENFDA_WHY),
    TRIALS: _CTGOV_WHY,
    DRUG_LABELS: _LABELS_WHY,
}

# Loaded online or from a mirror, never from the bundled seed (the licence does not allow
# bundling the publisher's files): present in the mirror build, absent from the seed build.
_UNODC_WHY = (
    "UN terms allow non-profit reuse with acknowledgement but the seed bundles no UNODC file: "
    "the annex loads online or from a mirror"
)
NOT_IN_SEED: dict[str, str] = {
    UNODC_WDR_SEIZURES: _UNODC_WHY,
    UNODC_WDR_TRENDS: _UNODC_WHY,
    UNODC_SEIZURES_KETAMINE_PCP: _UNODC_WHY,
    UNODC_PREVALENCE_GENERAL_PAST_YEAR: _UNODC_WHY,
    UNODC_PREVALENCE_YOUTH_PAST_YEAR: _UNODC_WHY,
}
