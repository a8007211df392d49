"""What the ClinicalTrials.gov source is: the API query, its fields, the indicator and `META`
(licence, citation, hosts). The package docstring says what it counts and its caveats."""

from __future__ import annotations

from etl.contract import RemoteFile, SourceMeta

API_URL = "https://clinicaltrials.gov/api/v2/studies"
# Every field a count depends on (a start needs its date, its date type and the status).
COUNTED_FIELDS = ("NCTId", "StartDate", "StartDateType", "OverallStatus", "Condition", "Phase")
DETAIL_FIELDS = ("BriefTitle", "StudyType", "InterventionType", "InterventionName")
QUERY: dict[str, str] = {
    "query.intr": "ketamine OR esketamine",
    "countTotal": "true",
    "pageSize": "1000",
    "fields": ",".join(COUNTED_FIELDS + DETAIL_FIELDS),
}
# Statuses that are never a start, whatever the start date says.
NOT_STARTED = frozenset({"NOT_YET_RECRUITING", "WITHDRAWN"})
MAX_PAGES = 200
HOMEPAGE = "https://clinicaltrials.gov/"
CITATION = (
    "ClinicalTrials.gov, U.S. National Library of Medicine. Studies with intervention "
    "'ketamine OR esketamine' (API v2). https://clinicaltrials.gov/search?intr=ketamine%20OR%20esketamine"
)
STUDY_URL = "https://clinicaltrials.gov/study/{}"
INDICATOR = "clinicaltrials_trials_started"
TRIAL_COLUMNS = (
    "nct_id",
    "title",
    "study_type",
    "start_date",
    "start_year",
    "start_date_type",
    "conditions",
    "phase",
    "status",
    "interventions",
    "area",
    "area_label",
    "areas",
    "url",
)

META = SourceMeta(
    id="clinicaltrials",
    title="ClinicalTrials.gov studies of ketamine and esketamine",
    publisher="U.S. National Library of Medicine (ClinicalTrials.gov)",
    homepage=HOMEPAGE,
    licence="ClinicalTrials.gov data are US Government data, public domain (see its terms)",
    citation=CITATION,
    cadence="live registry (daily updates)",
    domain="therapeutic",
    counts="registered studies (not patients, not results)",
    caveats=(
        "Registration is not evidence of effect; ketamine may be one arm or the comparator. "
        "Area comes from keyword rules on the listed conditions. Only actual start dates count."
    ),
    remote_files=(RemoteFile(name="pages", url="", pattern="*.json", kind="json", many=True),),
    allowed_hosts=("clinicaltrials.gov",),
    detail_tables=("trials",),
)
