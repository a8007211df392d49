"""FAERS / legacy AERS quarterly ASCII extracts: locate, read with DuckDB, de-duplicate, match.

- `locate`: find the quarters in zips or folders (`ascii/` or `ASCII/`, any-case file names).
- `read`: DuckDB `read_csv` SQL for both layouts, mapped onto one schema.
- `dedup`: one report per case across all loaded quarters; deleted cases dropped.
- `match`: ketamine / esketamine by normalised `prod_ai` / `drugname` (synonyms are data).
- `store`: the FAERS store (`faers.duckdb`): de-dup state and per-report rows across all history.
- `load`: the recipe that merges quarters one at a time into the store.
- `outputs`: the published tables, derived from the store.
- `remote`, `progress`, `console`: the live fetch (newest first, resumable), progress reports, and
  what the CLI shows (window options, progress bars, quarters held and gaps).
"""
