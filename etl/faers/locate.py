"""Find FAERS quarters in zips or extracted folders.

A quarter is `faers_ascii_YYYYqN` (FAERS, 2012Q4 on) or `aers_ascii_YYYYqN` (legacy AERS,
2004Q1-2012Q3), as a zip or as the folder it unpacks to. Inside, the tables sit in `ascii/` or
`ASCII/` (or at the top) as `DEMO17Q2.txt`, `demo04q1.TXT` ...; newer zips also carry
`Deleted/DELETE*.txt` (or `DELETED/*.txt`) lists of case ids FDA has removed. Names are matched
case-insensitively. Zip members are streamed to a temporary folder (DuckDB cannot read inside a
zip); a member that fails to decompress or fails its CRC is a `ParseError` naming zip and member.

Unpacking is bounded (etl.limits.unzip_allowance: at most UNZIP_MAX_RATIO times the zip's size and
never more than UNZIP_MAX_BYTES in all): the sizes the zip declares are checked before anything is
written, and the bytes actually written are counted while extracting, so a zip bomb or a member
declaring 3 GB stops at the limit with a `RefusedFile` naming zip, member, size and limit.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from etl import limits
from etl.contract import ParseError
from etl.faers.integrity import check_member_quarter
from etl.limits import RefusedFile

KINDS: tuple[str, ...] = ("demo", "drug", "reac", "outc", "indi", "ther", "rpsr")
_MEMBER = re.compile(r"(?i)(?:^|/)(demo|drug|reac|outc|indi|ther|rpsr)(\d\d)q([1-4])\.txt$")
_DELETED = re.compile(r"(?i)(?:^|/)delete[a-z]*/[^/]+\.txt$")
# Stored raw copies are named `<sha256>-faers_ascii_2017q2.zip`, so the name is searched, not
# anchored; the look-behind keeps `faers_` from being read as `aers_`.
_QUARTER_NAME = re.compile(r"(?i)(?<![a-z])(f?aers)_ascii_(\d{4})q([1-4])")


@dataclass
class Quarter:
    """One quarter's files, extracted to local paths."""

    label: str  # '2017Q2'
    layout: str  # 'faers' or 'aers'
    origin: Path  # the zip or folder it came from
    tables: dict[str, Path] = field(default_factory=dict)  # kind -> file
    deleted: list[Path] = field(default_factory=list)
    members: dict[Path, str] = field(default_factory=dict)  # local file -> name in zip/folder
    notes: list[str] = field(default_factory=list)  # warnings for the refresh message


def locate_quarters(paths: Iterable[Path], workdir: Path) -> list[Quarter]:
    """Every quarter found in `paths` (zips, quarter folders, or folders holding several).

    Zip members are extracted under `workdir`, which must outlive the load."""
    quarters: list[Quarter] = []
    for path in sorted(Path(p) for p in paths):
        if path.is_dir() and not _looks_like_quarter(path) and not _members_in_folder(path):
            children = [c for c in sorted(path.iterdir()) if _QUARTER_NAME.search(c.name)]
            quarters.extend(locate_quarters(children, workdir))
        elif path.is_dir():
            quarters.append(_quarter_from_folder(path))
        elif path.suffix.lower() == ".zip":
            quarters.append(_quarter_from_zip(path, workdir / f"q{len(quarters)}_{path.stem}"))
        else:
            raise ParseError("not a FAERS quarter zip or folder", file=path)
    refuse_repeated_quarters([(q.label, q.origin) for q in quarters])
    return sorted(quarters, key=lambda q: q.label)


def refuse_repeated_quarters(found: list[tuple[str, Path]]) -> None:
    """ParseError naming the first quarter label given by two files (and any others), so a
    quarter is never merged twice; `found` is (label, file) per quarter."""
    labels = [label for label, _ in found]
    dupes = sorted({x for x in labels if labels.count(x) > 1})
    if not dupes:
        return
    twice = [path for label, path in found if label == dupes[0]]
    raise ParseError(
        f"quarter {dupes[0]} given twice ({' and '.join(p.name for p in twice)}): keep one"
        + (f"; also given twice: {', '.join(dupes[1:])}" if len(dupes) > 1 else ""),
        file=twice[0],
    )


def _looks_like_quarter(path: Path) -> bool:
    return bool(_QUARTER_NAME.search(path.name))


def _members_in_folder(folder: Path) -> list[str]:
    found = []
    for p in folder.rglob("*"):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and (_MEMBER.search(rel) or _DELETED.search(rel)):
            found.append(rel)
    return found


def _quarter_from_folder(folder: Path) -> Quarter:
    members = _members_in_folder(folder)
    return _assemble(folder, members, lambda rel: folder / rel)


def _quarter_from_zip(path: Path, dest: Path) -> Quarter:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ParseError(f"not a readable zip ({exc})", file=path) from None
    with archive:
        names = [n for n in archive.namelist() if _MEMBER.search(n) or _DELETED.search(n)]
        allowance = limits.unzip_allowance(path.stat().st_size)
        declared = 0
        for name in names:
            declared += archive.getinfo(name).file_size
            if declared > allowance:
                raise RefusedFile(
                    f"zip member {name} declares {archive.getinfo(name).file_size} bytes "
                    f"unpacked ({declared} with the members before it), over the limit of "
                    f"{allowance} bytes for this {path.stat().st_size}-byte zip; not unpacked",
                    file=path,
                )
        extracted: dict[str, Path] = {}
        written = 0
        for i, name in enumerate(names):
            target = dest / f"{i}_{Path(name).name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(name) as src, target.open("wb") as out:
                    written = _copy_bounded(src, out, written, allowance, path, name)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                msg = f"zip member {name} is corrupt ({exc})"
                raise ParseError(msg, file=path) from None
            extracted[name] = target
    return _assemble(path, list(extracted), extracted.__getitem__)


def _copy_bounded(src, out, written: int, allowance: int, path: Path, name: str) -> int:
    """Copy a zip member, refusing once the zip's unpacked bytes pass `allowance` (zipfile
    stops at the declared size, but the count does not rely on it)."""
    while block := src.read(1 << 20):
        written += len(block)
        if written > allowance:
            raise RefusedFile(
                f"zip member {name} unpacked past the limit of {allowance} bytes for this "
                f"{path.stat().st_size}-byte zip ({written} bytes so far); stopped",
                file=path,
            )
        out.write(block)
    return written


def _assemble(origin: Path, members: list[str], local) -> Quarter:
    tables: dict[str, Path] = {}
    deleted: list[Path] = []
    names = {local(rel): rel for rel in members}
    quarters_seen: set[str] = set()
    for rel in sorted(members):
        if _DELETED.search(rel):
            deleted.append(local(rel))
            continue
        m = _MEMBER.search(rel)
        assert m is not None
        kind = m.group(1).lower()
        quarters_seen.add(f"20{m.group(2)}Q{m.group(3)}")
        if kind in tables:
            raise ParseError(f"two {kind.upper()} files in one quarter: {rel}", file=origin)
        tables[kind] = local(rel)
    named = _QUARTER_NAME.search(origin.name)
    if named:
        label = f"{named.group(2)}Q{named.group(3)}"
        layout = "aers" if named.group(1).lower() == "aers" else "faers"
        check_member_quarter(origin.name, label, quarters_seen, sorted(members))
    elif len(quarters_seen) == 1:
        label, layout = quarters_seen.pop(), ""
    else:
        raise ParseError("cannot tell which quarter this is", file=origin)
    for kind in ("demo", "drug", "reac"):
        if kind not in tables:
            raise ParseError(f"no {kind.upper()}yyQn.txt file in this quarter", file=origin)
    return Quarter(label, layout, origin, tables=tables, deleted=deleted, members=names)


def quarter_name(name: str) -> str | None:
    """'2017Q2' for `faers_ascii_2017q2.zip` or a folder so named (a digest prefix allowed)."""
    named = _QUARTER_NAME.search(name)
    return f"{named.group(2)}Q{named.group(3)}" if named else None


def expand(paths: Iterable[Path]) -> list[Path]:
    """Each quarter zip or folder in `paths`, a folder holding several replaced by its quarters."""
    out: list[Path] = []
    for path in sorted(Path(p) for p in paths):
        if path.is_dir() and not _looks_like_quarter(path) and not _members_in_folder(path):
            out += expand(c for c in path.iterdir() if _QUARTER_NAME.search(c.name))
        else:
            out.append(path)
    return out
