"""Where a source's files come from: one origin's snapshot, and keeping what a load used.

`obtain` gives the files of one origin ("live", "mirror", "snapshot" or "seed"; see
etl.options.origins_for for the order) or None when that origin has none. Files fetched from a
publisher or read from a mirror are copied into the content-addressed raw store once they load
(`keep_raw`), and `good.json` remembers them for the next `--offline` run; a download's temporary
folder is removed once it is no longer needed (`discard_snapshot`).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb

from etl import snapshots
from etl.contract import ApiSource, Source, SourceMeta
from etl.fetch import make_client, remote_snapshot
from etl.options import RefreshOptions
from etl.staging_writes import stage_provenance
from etl.warehouse import WarehousePaths

ClientFactory = Callable[[SourceMeta, RefreshOptions], object]


def obtain(
    source: Source, origin: str, options: RefreshOptions, client_factory: ClientFactory | None
) -> snapshots.Snapshot | None:
    meta = source.meta
    raw_dir = WarehousePaths(options.data_dir).raw
    if origin == "seed":
        return snapshots.seed_snapshot(options.seed_dir, meta)
    if origin == "snapshot":
        return snapshots.last_good_snapshot(raw_dir, meta)
    if origin == "mirror":
        assert options.mirror is not None
        if options.mirror.startswith(("http://", "https://")):
            return fetch_remote(source, options, client_factory, base=options.mirror)
        return snapshots.mirror_snapshot(Path(options.mirror).expanduser(), meta)
    return fetch_remote(source, options, client_factory, base=None)


def fetch_remote(
    source: Source,
    options: RefreshOptions,
    client_factory: ClientFactory | None,
    base: str | None,
) -> snapshots.Snapshot | None:
    """Download a source's files from the publisher (or an http mirror) into a temp folder."""
    meta = source.meta
    if not meta.remote_files and not isinstance(source, ApiSource):
        return None
    factory = client_factory or make_client
    client = factory(meta, options)
    try:
        return remote_snapshot(source, client, options, base)
    finally:
        close = getattr(client, "close", None)
        if close:
            close()


def keep_raw(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    snap: snapshots.Snapshot,
    options: RefreshOptions,
) -> list[str]:
    """Stage where a loaded snapshot's files came from; a fetched or mirrored one is first kept
    in the raw store and recorded as the last good set. Returns a note when the raw copy could
    not be kept (the rows are staged all the same)."""
    meta = source.meta
    if snap.origin not in ("live", "mirror"):
        stage_provenance(con, meta.id, snapshots.provenance(snap, meta))
        return []
    notes = []
    stored = None
    try:
        stored = store_files(source, snap, options)
        snapshots.record_good(WarehousePaths(options.data_dir).raw, meta.id, stored)
    except OSError as error:  # disk full, permissions
        notes.append(f"raw snapshot not kept ({error})")
        stored = None
    stage_provenance(con, meta.id, snapshots.provenance(snap, meta, stored))
    discard_snapshot(snap)
    return notes


def store_files(
    source: Source, snap: snapshots.Snapshot, options: RefreshOptions
) -> dict[str, list[Path]]:
    """Keep fetched or mirrored files in the content-addressed raw store."""
    raw_dir = WarehousePaths(options.data_dir).raw
    stored: dict[str, list[Path]] = {}
    prov = snap.provenance
    for name, paths in snap.files.items():
        for path in paths:
            # Already in the store (a 304 reused the last good copy); downloads sit in a
            # `.partial-*` folder inside the store and must still be moved in.
            if path.is_relative_to(raw_dir) and not (
                prov.tmpdir and path.is_relative_to(prov.tmpdir)
            ):
                stored.setdefault(name, []).append(path)
                continue
            key = str(path)
            target = snapshots.store_raw(
                raw_dir,
                source.meta,
                path,
                url=prov.urls.get(key, prov.url if prov.url is not None else key),
                original_name=prov.names.get(key, path.name),
                origin=snap.origin,
                **prov.extras.get(key, {}),
            )
            stored.setdefault(name, []).append(target)
    return stored


def discard_snapshot(snap: snapshots.Snapshot) -> None:
    """Remove the temporary download folder of a live or http-mirror snapshot."""
    if snap.provenance.tmpdir:
        shutil.rmtree(snap.provenance.tmpdir, ignore_errors=True)
