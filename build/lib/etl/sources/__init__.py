"""The registry: every source the refresh knows, in the order they are refreshed."""

from __future__ import annotations

from etl.contract import Source
from etl.sources import (
    clinicaltrials,
    cms_partd,
    euda_wastewater,
    faers_quarterly,
    labels,
    literature,
    milestones,
    nflis,
    nsduh_detailed_tables,
    ons_drug_poisoning,
    openfda,
    unodc_wdr,
)

SOURCES: tuple[Source, ...] = (
    literature.SOURCE,
    milestones.SOURCE,
    nflis.SOURCE,
    ons_drug_poisoning.SOURCE,
    euda_wastewater.SOURCE,
    clinicaltrials.SOURCE,
    cms_partd.SOURCE,
    labels.SOURCE,
    faers_quarterly.SOURCE,
    openfda.SOURCE,
    unodc_wdr.SOURCE,
    nsduh_detailed_tables.SOURCE,
)


def by_id(source_id: str) -> Source:
    for source in SOURCES:
        if source.meta.id == source_id:
            return source
    raise KeyError(source_id)
