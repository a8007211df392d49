"""Raw and seed snapshots: where a source's files come from, and their provenance.

Raw downloads are immutable and content-addressed: `data/raw/<source>/<sha256>.<ext>` with a
`<sha256>.<ext>.meta.json` beside each (url, retrieved_at, sha256, size, licence). After a source
parses and validates, `good.json` in its folder records which snapshot files made up that good
load, so `--offline` and a failed fetch can fall back to exactly the last set that worked.

A `Snapshot` says where its files came from in a typed `Provenance` (the folder or URL, when,
the per-file URLs, names and HTTP headers of a download, the notes on which release was chosen);
`provenance()` turns it, with each stored file's `.meta.json`, into the `source_files` rows.

The seed (`data/seed/<source>/`) is committed and carries published facts with their citations;
`seed.meta.json` describes it the same way.

A mirror folder is read only through regular files and folders inside it: an entry matching a
source's pattern that is a FIFO (opening it blocks for good), a device, a socket, a broken
symlink or a symlink pointing out of the mirror (to /etc/passwd, whose first line would be
quoted in the run message) is refused with `RefusedFile`, naming it; it is never opened. A
regular file larger than its `RemoteFile.max_bytes` is refused the same way, as a download is.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from etl.contract import SourceFiles, SourceMeta
from etl.folder_files import explain_missing, find_in_folder, release_notes, required_present

SEED_META = "seed.meta.json"
GOOD_SET = "good.json"
CANONICAL_SEED_FILES = ("observations.csv", "indicators.csv", "events.csv")


@dataclass(frozen=True)
class Provenance:
    """Where a snapshot's files came from, as far as the origin knows before they are stored.

    Per-file maps are keyed by the file's path as a string (`str(path)`)."""

    url: str | None = None  # the folder, mirror base or homepage read from; None: not known
    retrieved_at: str | None = None  # when the files were fetched (a raw file's or the seed's)
    tmpdir: str | None = None  # a download folder to remove once its files are stored
    urls: dict[str, str] = field(default_factory=dict)  # the URL each file was fetched from
    names: dict[str, str] = field(default_factory=dict)  # the publisher's name for each file
    extras: dict[str, dict] = field(default_factory=dict)  # etag, last_modified ... per file
    notes: tuple[str, ...] = ()  # which release was chosen among several, for the run message
    described: dict[str, dict] = field(default_factory=dict)  # a seed's sha256 and size by name


@dataclass(frozen=True)
class Snapshot:
    """A set of files for one source, ready to parse, and where they came from."""

    origin: str  # "live", "mirror", "snapshot" or "seed"
    files: SourceFiles
    provenance: Provenance = field(default_factory=Provenance)
    canonical: bool = False  # a seed in canonical table form rather than the source's raw format


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_meta(path: Path, meta: dict) -> None:
    meta_path = path.with_name(path.name + ".meta.json")
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def read_meta(path: Path) -> dict:
    meta_path = path.with_name(path.name + ".meta.json")
    return json.loads(meta_path.read_text()) if meta_path.exists() else {}


def store_raw(
    raw_dir: Path, source: SourceMeta, path: Path, *, url: str, original_name: str, **extra: object
) -> Path:
    """Copy or move a fetched file (or folder) into the content-addressed raw store."""
    folder = raw_dir / source.id
    folder.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        digest = hash_folder(path)
        target = folder / f"{digest}-{original_name}"
        if not target.exists():
            shutil.copytree(path, target.with_name(target.name + ".tmp"), dirs_exist_ok=True)
            target.with_name(target.name + ".tmp").rename(target)
        size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    else:
        digest = sha256_file(path)
        # Keep the publisher's name after the hash: patterns like `*aers_ascii_2017q2*` still match.
        target = folder / f"{digest}-{original_name}"
        if not target.exists():
            tmp = target.with_name(target.name + ".tmp")
            shutil.copyfile(path, tmp)
            tmp.replace(target)
        size = target.stat().st_size
    meta = {
        "url": url,
        "original_name": original_name,
        "retrieved_at": utc_now(),
        "sha256": digest,
        "size": size,
        "licence": source.licence,
        "source": source.id,
        **extra,
    }
    write_meta(target, meta)
    return target


def hash_folder(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(sha256_file(path).encode())
    return digest.hexdigest()


def mirror_snapshot(mirror: Path, source: SourceMeta) -> Snapshot | None:
    files = find_in_folder(mirror / source.id, source, root=mirror)
    if not required_present(source, files):
        explain_missing(mirror / source.id, source, files)
        return None
    notes = release_notes(mirror / source.id, source, files)
    return Snapshot(
        origin="mirror",
        files=files,
        provenance=Provenance(url=str(mirror / source.id), notes=tuple(notes)),
    )


def record_good(raw_dir: Path, source_id: str, files: SourceFiles) -> None:
    """Remember which stored raw files made up the last load that parsed and validated."""
    folder = raw_dir / source_id
    stored = {
        name: [str(p.relative_to(folder)) for p in paths if p.is_relative_to(folder)]
        for name, paths in files.items()
    }
    if not any(stored.values()):
        return
    payload = {"recorded_at": utc_now(), "files": stored}
    tmp = folder / (GOOD_SET + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.replace(folder / GOOD_SET)


def last_good_snapshot(raw_dir: Path, source: SourceMeta) -> Snapshot | None:
    folder = raw_dir / source.id
    record = folder / GOOD_SET
    if not record.exists():
        return None
    payload = json.loads(record.read_text())
    files = {name: [folder / rel for rel in rels] for name, rels in payload["files"].items()}
    if not all(path.exists() for paths in files.values() for path in paths):
        return None
    first = next(iter(next(iter(files.values()))))
    meta = read_meta(first)
    provenance = Provenance(url=meta.get("url"), retrieved_at=meta.get("retrieved_at"))
    return Snapshot(origin="snapshot", files=files, provenance=provenance)


def seed_snapshot(seed_dir: Path, source: SourceMeta) -> Snapshot | None:
    folder = seed_dir / source.id
    meta_path = folder / SEED_META
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    provenance = Provenance(
        url=meta.get("url"),
        retrieved_at=meta.get("retrieved_at"),
        described=meta.get("files") or {},
    )
    canonical = {
        name.removesuffix(".csv"): [folder / name]
        for name in sorted(p.name for p in folder.glob("*.csv"))
        if name in CANONICAL_SEED_FILES or name.removesuffix(".csv") in source.detail_tables
    }
    if canonical:
        return Snapshot(origin="seed", files=canonical, provenance=provenance, canonical=True)
    files = find_in_folder(folder, source)
    if required_present(source, files):
        return Snapshot(origin="seed", files=files, provenance=provenance)
    return None


def provenance(snap: Snapshot, source: SourceMeta, files: SourceFiles | None = None) -> list[dict]:
    """Where each file of a load came from: the publisher's name for it, the URL or folder it was
    read from, its sha256, size and when it was retrieved. `files` are the stored raw copies of a
    live or mirror load (their `.meta.json` says all of this); seed files are described by
    `seed.meta.json`, and snapshot files by their own `.meta.json`."""
    describe = seed_file_row if snap.origin == "seed" else stored_file_row
    rows = [
        describe(path, snap.provenance, source.id)
        for paths in (files or snap.files).values()
        for path in paths
    ]
    return [row | {"origin": snap.origin} for row in rows]


def seed_file_row(path: Path, provenance: Provenance, source_id: str) -> dict:
    described = provenance.described.get(path.name, {})
    return {
        "file": path.name,
        "location": f"bundled seed: data/seed/{source_id}/{path.name}",
        "sha256": described.get("sha256") or file_digest(path),
        "size": described.get("size") or file_size(path),
        "retrieved_at": provenance.retrieved_at,
    }


def stored_file_row(path: Path, provenance: Provenance, source_id: str) -> dict:
    """A raw file described by its own `.meta.json`, else by the snapshot it came in."""
    meta = read_meta(path)
    return {
        "file": meta.get("original_name") or path.name,
        "location": meta.get("url") or str(provenance.url or path.parent),
        "sha256": meta.get("sha256") or file_digest(path),
        "size": meta.get("size") or file_size(path),
        "retrieved_at": meta.get("retrieved_at") or provenance.retrieved_at,
    }


def file_digest(path: Path) -> str:
    return hash_folder(path) if path.is_dir() else sha256_file(path)


def file_size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def seed_note(seed_dir: Path, source: SourceMeta) -> str:
    """The seed's own note (for an empty seed: how to load real data), if it has one."""
    meta_path = seed_dir / source.id / SEED_META
    if not meta_path.exists():
        return ""
    return str(json.loads(meta_path.read_text()).get("note") or "")


def seed_mtime(seed_dir: Path) -> float:
    """Newest modification time of any seed file: `up` rebuilds when the seed is newer."""
    times = [p.stat().st_mtime for p in seed_dir.rglob("*") if p.is_file()]
    return max(times, default=0.0)
