"""The whole warehouse as downloads: every table as CSV in one zip, and as Parquet in one zip.

Built on demand (the download buttons call these lazily) from the same read-only queries the
pages use, so a download is exactly the published warehouse.
"""

from __future__ import annotations

import io
import zipfile

from dashboard.common import queries

README = (
    "Ketamine Watch warehouse export: one file per table.\n"
    "Every published number is in `observations` with its source, citation and flags;\n"
    "`sources` holds each source's publisher, licence, citation and vintage.\n"
    "Cite the original publications, not this export.\n"
)


def warehouse_csv_zip() -> bytes:
    """Every table as `<table>.csv`, plus README.txt."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        for name in queries.table_names():
            archive.writestr(f"{name}.csv", queries.whole_table(name).to_csv(index=False))
    return buffer.getvalue()


def warehouse_parquet_zip() -> bytes:
    """Every table as `<table>.parquet` (types kept: dates, timestamps, doubles), plus README."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("README.txt", README)
        for name in queries.table_names():
            out = io.BytesIO()
            queries.whole_table(name).to_parquet(out, index=False)
            archive.writestr(f"{name}.parquet", out.getvalue())
    return buffer.getvalue()
