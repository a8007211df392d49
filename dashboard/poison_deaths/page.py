"""Poison centers & deaths: US poison-center exposures (each study's definition its own line),
their outcomes and reasons, US and UK deaths, and England and Wales drug-poisoning totals.

The ketamine charts draw ketamine series; all-drug totals are context (their rows carry
`role` = 'context' and a "context: all drugs" label, so a chart keeps them apart), other
substances labelled comparators. Secondary figures appear only with the toggle, labelled."""

from __future__ import annotations

from dashboard.common import components, filters, queries_harm
from dashboard.common.header import page_head
from dashboard.poison_deaths import queries, sections

page_head("Poison centers & deaths")
include_secondary = components.secondary_toggle()
events = queries_harm.timeline_events()
show_milestones = components.milestone_toggle()
filters.drop_unused(["secondary", components.MILESTONE_KEY, "ons"])

sections.section_exposures(
    queries.exposures(include_secondary=include_secondary),
    queries.rates(include_secondary=include_secondary),
    events,
    show_milestones,
)
sections.section_shares(queries.shares(include_secondary=include_secondary))
sections.section_deaths(
    *queries.deaths(include_secondary=include_secondary), events, show_milestones
)
sections.section_ons_totals(queries.ons_totals(include_secondary=include_secondary))
