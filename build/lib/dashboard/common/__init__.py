"""Shared by every page: layout components, URL-state filters, exports and provenance, the
warehouse connection and generic queries, selection rules, transforms, chart specs, and the
shared chart pieces (`charts/`) and basemaps (`basemaps/`)."""
