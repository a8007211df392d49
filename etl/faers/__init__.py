"""FAERS / legacy AERS quarterly ASCII extracts: locate, read with DuckDB, de-duplicate, match.

- `locate`: find the quarters in zips or folders (`ascii/` or `ASCII/`, any-case file names).
- `read`: DuckDB `read_csv` SQL for both layouts, mapped onto one schema.
- `dedup`: one report per case across all loaded quarters; deleted cases dropped.
- `match`: ketamine / esketamine by normalised `prod_ai` / `drugname` (synonyms are data).
- `load`: the recipe that runs the above on a DuckDB connection and builds the summary tables.
"""
