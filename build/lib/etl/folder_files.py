"""Finding a source's files in a folder (a mirror, the raw store, the seed): by pattern, then by
header, newest release first; refusing anything that is not a regular file inside the folder
(FIFO, device, socket, a symlink out of it) or is larger than its `RemoteFile.max_bytes`, naming
it, without opening it. `explain_missing` says which expected file is absent and what is there.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from pathlib import Path

from etl.contract import ParseError, RemoteFile, SourceFiles, SourceMeta
from etl.limits import RefusedFile, max_bytes_for

_DATA_YEAR = re.compile(r"(?i)(?<![a-z0-9])dy(\d{2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_STORED = re.compile(r"^[0-9a-f]{64}-")  # the raw store's `<sha256>-` prefix


def name_matches(path: Path, remote: RemoteFile) -> bool:
    """Whether the name fits the remote file's pattern; looks at the name only (opens nothing)."""
    return (
        fnmatch.fnmatch(path.name.lower(), remote.pattern.lower())
        and not path.name.endswith(".meta.json")
        and not path.name.endswith(".tmp")
    )


def match_files(candidates: list[Path], remote: RemoteFile) -> list[Path]:
    """Files whose name matches the remote file's pattern (case-insensitive). Sorted by name
    when the source reads them all (`many`), else oldest release first (`release_key`), so the
    last is the one to load."""
    found = [path for path in candidates if name_matches(path, remote)]
    if remote.many:
        return sorted(found, key=lambda p: p.name.lower())
    return sorted(found, key=release_key)


# CMS names the data year `DY23` (and the release year `RY25`); other publishers write years out.


def release_year(name: str, header: str = "") -> int:
    """The data year a file holds, as far as its name and header line say (0 if they don't):
    CMS's `DY23` in the name, else the greatest year in the header (CMS's `Tot_Clms_2023`),
    else the greatest in the name (EUDA's `ww2025-all-data.csv`)."""
    name = _STORED.sub("", name)
    if match := _DATA_YEAR.search(name):
        return 2000 + int(match[1])
    years = [int(y) for y in _YEAR.findall(header)] or [int(y) for y in _YEAR.findall(name)]
    return max(years, default=0)


def first_line(path: Path) -> str:
    if path.is_dir() or path.suffix.lower() not in {".csv", ".tsv", ".txt"}:
        return ""
    try:
        with path.open("rb") as handle:
            return handle.readline(65536).decode("utf-8-sig", errors="replace")
    except OSError:
        return ""


def release_key(path: Path) -> tuple[int, float, str]:
    """Newest release last: by the data year in the file's name or header, then the file's
    modification time, then its name. Publishers keep old releases beside new ones (CMS's DY22
    file beside DY23), and the last name in the alphabet is not the newest."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return release_year(path.name, first_line(path)), mtime, path.name.lower()


def release_notes(folder: Path, source: SourceMeta, files: SourceFiles) -> list[str]:
    """'spending: loaded X (data year 2023), not the older Y (2022)' for each single file that
    had older releases beside it in `folder`, so the run log says which was chosen."""
    if not folder.is_dir():
        return []
    candidates = [p for p in folder.iterdir() if not p.name.startswith(".")]
    notes = []
    for remote in source.remote_files:
        chosen = files.get(remote.name, [])
        if remote.many or len(chosen) != 1:
            continue
        others = [
            p
            for p in match_files(candidates, remote)
            if p != chosen[0] and header_matches(p, remote)
        ]
        if others:
            described = ", ".join(
                f"{p.name} ({release_year(p.name, first_line(p)) or 'no year'})" for p in others
            )
            year = release_year(chosen[0].name, first_line(chosen[0])) or "no year"
            notes.append(
                f"{remote.name}: loaded {chosen[0].name} (data year {year}), the newest of "
                f"{len(others) + 1}; not loaded: {described}"
            )
    return notes


def header_matches(path: Path, remote: RemoteFile) -> bool:
    """Whether a text file's first line names every column in the remote's `header`
    (case-insensitive); for an HTML data page, whether its first 64 kB say every phrase."""
    header = remote.header
    if not header or path.is_dir() or path.suffix.lower() in {".xlsx", ".zip", ".json"}:
        return True
    with path.open("rb") as handle:
        if remote.kind == "html":
            head = handle.read(65536).decode("utf-8", errors="replace").lower()
        else:
            head = handle.readline(65536).decode("utf-8-sig", errors="replace").lower()
    return all(column.lower() in head for column in header)


def find_in_folder(folder: Path, source: SourceMeta, root: Path | None = None) -> SourceFiles:
    """Find each remote file in a folder by pattern and header, not by one exact name. Every
    entry that matches a pattern must be a regular file or folder inside `root` (default
    `folder`), else it is refused before anything opens it."""
    if not folder.is_dir():
        return {}
    candidates = safe_candidates(folder, source, root or folder)
    found: dict[str, list[Path]] = {}
    for remote in source.remote_files:
        matches = [p for p in match_files(candidates, remote) if header_matches(p, remote)]
        if matches:
            found[remote.name] = matches if remote.many else [matches[-1]]
    return found


def safe_candidates(folder: Path, source: SourceMeta, root: Path) -> list[Path]:
    """The entries of `folder` (hidden ones aside); those a remote file's pattern matches are
    checked by `refuse_unsafe` first."""
    real_root = root.resolve()
    refuse_unsafe(folder, real_root)
    candidates = [p for p in sorted(folder.iterdir()) if not p.name.startswith(".")]
    for path in candidates:
        for remote in source.remote_files:
            if name_matches(path, remote):  # not match_files: it reads headers to sort
                refuse_unsafe(path, real_root)
                refuse_oversized(path, remote)
    return candidates


def refuse_oversized(path: Path, remote: RemoteFile) -> None:
    """A file over its remote file's download limit is refused here too (a folder, such as an
    extracted FAERS quarter, is not: it is already unpacked on disk)."""
    if path.is_dir():
        return
    size, limit = path.stat().st_size, max_bytes_for(remote.kind, remote.max_bytes)
    if size > limit:
        raise RefusedFile(
            f"is {size} bytes, over the limit of {limit} bytes for the {remote.name!r} file; "
            "not read",
            file=path,
        )


def refuse_unsafe(path: Path, real_root: Path, seen: set[Path] | None = None) -> None:
    """Raise RefusedFile unless `path` (and, for a folder, everything in it) is a regular file or
    folder whose real location is inside `real_root`. Only stat, never open. A folder reached
    twice (a symlink to a parent inside the mirror) is walked once."""
    try:
        resolved = path.resolve()
        mode = os.stat(resolved).st_mode
    except (OSError, RuntimeError) as error:  # a broken link, a symlink loop
        raise RefusedFile(
            f"cannot be read safely ({type(error).__name__}); not opened", file=path
        ) from None
    if not resolved.is_relative_to(real_root):
        raise RefusedFile(
            "is a symlink pointing outside the mirror folder; not followed (only files inside "
            "the mirror are read)",
            file=path,
        )
    if stat.S_ISDIR(mode):
        seen = set() if seen is None else seen
        if resolved in seen:
            return
        seen.add(resolved)
        for child in sorted(path.iterdir()):
            refuse_unsafe(child, real_root, seen)
        return
    if not stat.S_ISREG(mode):
        raise RefusedFile(
            f"is a {file_type(mode)}, not a regular file; not opened (only regular files are read)",
            file=path,
        )


def file_type(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "FIFO (named pipe)"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return name
    return "special file"


def required_present(source: SourceMeta, files: SourceFiles) -> bool:
    return bool(files) and all(
        remote.name in files for remote in source.remote_files if not remote.optional
    )


def explain_missing(folder: Path, source: SourceMeta, found: SourceFiles) -> None:
    """Raise a ParseError when a required file is in the mirror by name but its header is not
    the one the source expects (an empty file, a renamed column, an HTML page saved as .csv),
    rather than passing over it in silence."""
    if not folder.is_dir():
        return
    candidates = [p for p in folder.iterdir() if not p.name.startswith(".")]
    for remote in source.remote_files:
        if remote.optional or remote.name in found:
            continue
        for path in match_files(candidates, remote):
            if path.is_dir():
                continue
            with path.open("rb") as handle:
                first = handle.readline(65536).decode("utf-8-sig", errors="replace").strip()
            wanted = ", ".join(remote.header)
            shown = repr(first[:120]) if first else "an empty file"
            raise ParseError(
                f"header does not name the expected columns ({wanted}); found {shown}",
                file=path,
                line=1,
            )
