"""Ketamine Watch dashboard: `app.py` lists the pages, one folder per page, and `common/` holds
what pages share. It reads the warehouse read-only and imports nothing from `etl/`."""
