"""Data & methods: every source with provenance and licence, run history with failures, the
rules of the numbers, figures set aside, and the whole warehouse for download."""

from __future__ import annotations

import warehouse_contract as wc
from dashboard.common import alerts, queries
from dashboard.common.header import page_head
from dashboard.methods import sections

page_head("Data & methods")
sections.section_sources(queries.sources(), queries.source_vintages())
sections.section_files(queries.source_files())
sections.section_rules()
alerts.section_methods()
sections.section_runs(queries.runs())
sections.section_revisions(queries.revisions())
undated, conflicts = queries.literature_set_aside()
sections.section_set_aside(
    undated,
    conflicts,
    queries.literature_detail(wc.LITERATURE_SET_ASIDE),
    queries.literature_detail(wc.LITERATURE_DUPLICATES),
)
sections.section_register(queries.literature_detail(wc.LITERATURE_FIGURES))
sections.section_download(queries.table_names())
