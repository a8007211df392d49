"""The SQL every observation query starts from: observations joined to their indicator and
source, with the tier rule (secondary figures only when asked for, and only for a series whose
primary figures are too few), as text to extend with a WHERE clause and `?` parameters."""

from __future__ import annotations

from dashboard.common.selection import SECONDARY_SHARE

OBSERVATION_ROWS = (
    "SELECT o.*, i.label, i.definition, i.domain, i.comparability, i.series_breaks,"
    " i.substance, i.role, s.vintage AS source_vintage, s.publisher, s.title AS source_title,"
    " s.homepage AS source_url,"
    " avg(CASE WHEN coalesce(o.flags, '') LIKE '%secondary%' THEN 1.0 ELSE 0.0 END)"
    "   OVER (PARTITION BY o.indicator, o.geography, o.stratum) AS secondary_share"
    " FROM observations o JOIN indicators i ON i.id = o.indicator"
    " JOIN sources s ON s.id = o.source"
)


# A query over observations is OBSERVATIONS_WHERE + (a fixed condition with `?` values) +
# OBSERVATIONS_TIER: the condition narrows the rows; unless the last two parameters are
# `tier_params(True)`, a mostly secondary series is left out, and so is every secondary figure of
# the others (a default line is drawn from primary figures only, never stitched to a quotation).
# Ordered by series, then period.
OBSERVATIONS_WHERE = "SELECT * FROM (" + OBSERVATION_ROWS + " WHERE "
OBSERVATIONS_TIER = (
    ") AS rows WHERE ? OR (secondary_share <= ? AND coalesce(flags, '') NOT LIKE '%secondary%')"
    " ORDER BY indicator, geography, stratum, period_start"
)


def tier_params(include_secondary: bool) -> tuple:
    return (bool(include_secondary), SECONDARY_SHARE)
