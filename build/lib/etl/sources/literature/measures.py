"""One published number is one point; the same measure with two values is a conflict.

The same number is often transcribed more than once: the same study under two labels, a fact
sheet quoted by a newspaper, a parliamentary answer repeated on a campaign page. The citation URL
and the wording differ, so neither can be the key. Two rows are **the same measure** when:
- they refer to the same period (`period_label`), the same base unit (`people` = `persons`, the
  remark in brackets dropped) and compatible geographies and groups: after normalising the words
  ("aged 16-24" = "16-24", "aged >=12" = "12+", "EU" = "European Union", filler such as "all",
  "not stated", "as worded" dropped), one's words are all among the other's;
- they carry the same measure tags (data rules of kind `measure` in literature_rules.csv: the
  NPDS "ketamine and analogs" category, lifetime vs past-year vs past-month use, single-substance
  exposures ...), so two definitions are never merged;
- their indicator wordings share most of their words (overlap coefficient >= 0.5 after synonyms:
  "last-year" = "past-year" = "past 12 months" = "annual").

Same measure and same value: **one point**. The row drawn is the group's best: a `primary` tier
row first, then a row not flagged `secondary`, then the row whose series has the most points (so
a line is not split between two transcriptions), then the lowest id. The other rows go to
`literature_duplicates` with `duplicate_of`; the drawn row's note lists every figure id and every
other citation it was seen in.

Same measure, different value: **a conflict** (e.g. CSEW 16-24 in 2018/19, 2.9% quoted from the
Home Office bulletin vs 1.3% in a DHSC written answer). Conflicts are matched more strictly than
duplicates: equal normalised geography and group, and one wording's words all among the other's
(qualifiers such as "self-reported" or "estimated" aside), so "co-used alcohol" and "co-used
opioids" from one paper are two measures, not a conflict. Every row of a
conflict goes to `literature_conflicts` with its citation and a `conflict_group`. When exactly one
of the values is backed by a `primary` tier row, that row stays on its line, with the other
values and their citations named in its note (`drawn` = true in the conflicts table); otherwise
none is drawn: a line never shows one of two unverified values as if it were settled.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd

STOP_WORDS = frozenset(
    {"of", "the", "to", "in", "and", "with", "a", "an", "by", "on", "for", "who", "were", "was"}
    | {"where", "that", "as", "its", "their", "be", "been", "is", "are", "or", "from", "at"}
    | {"than", "per"}
)
# Words that qualify how a figure was obtained without changing what it measures.
QUALIFIERS = frozenset({"self", "reported", "estimated", "estimate", "as", "cited", "published"})
WORD_SYNONYMS = (
    (
        r"\b(?:last|past)[- ]?(?:12|twelve)[- ]?months?\b|\blast[- ]year\b|\bpast[- ]year\b",
        "pastyear",
    ),
    (r"\bannual\b|\bannually\b", "pastyear"),
    (r"\bpeople\b|\bpersons\b|\bindividuals\b", "persons"),
    (r"\banalogues\b|\banalogs\b|\banalogue\b", "analogs"),
    (r"\bpupils\b|\bschool children\b|\bschoolchildren\b", "pupils"),
    (r"\bseizures\b|\bseized\b|\bseizure\b", "seizure"),
    (r"\bdeaths\b|\bdeath\b|\bdecedents\b", "death"),
    (r"\bexposures\b|\bexposure\b", "exposure"),
)
FILLER = frozenset(
    {"aged", "ages", "age", "cases", "years", "year", "all", "not", "stated", "in", "excerpt"}
    | {"as", "worded", "reported", "presumably", "the", "and", "or", "of", "only", "sample"}
    | {"total", "exposures", "seizures", "population"}
)
GEO_ALIASES = ((r"\beu\b", "european union"), (r"\buk\b", "united kingdom"))
UNIT_ALIASES = {"people": "persons", "person": "persons"}
DUPLICATE_OVERLAP = 0.5


def singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def wording_words(text: str) -> frozenset[str]:
    """Content words of an indicator's wording, synonyms folded, plurals made singular."""
    text = str(text).lower()
    for pattern, word in WORD_SYNONYMS:
        text = re.sub(pattern, word, text)
    return frozenset(singular(w) for w in set(re.findall(r"[a-z]+", text)) - STOP_WORDS)


def group_words(text: str) -> frozenset[str]:
    """'aged 16-24' = '16-24'; 'aged >=12' = '12+'; 'all ages; all exposures' = 'all'."""
    text = re.sub(r">=\s*(\d+)", r"\1+", str(text).lower())
    text = re.sub(r"\b(\d+)\s+and\s+over\b", r"\1+", text)
    for pattern, word in WORD_SYNONYMS:
        text = re.sub(pattern, word, text)
    tokens = set(re.findall(r"[a-z0-9+]+(?:-[a-z0-9+]+)*", text))
    return frozenset(tokens - FILLER - {"exposure", "seizure", "death"})


def geography_words(text: str) -> frozenset[str]:
    text = str(text).lower()
    for pattern, words in GEO_ALIASES:
        text = re.sub(pattern, words, text)
    return frozenset(set(re.findall(r"[a-z0-9]+", text)) - FILLER - {"incl", "at", "time"})


def base_unit(unit: str) -> str:
    unit = re.sub(r"\s*\(.*\)\s*$", "", str(unit)).strip().lower()
    return UNIT_ALIASES.get(unit, unit)


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / max(min(len(a), len(b)), 1)


def nested(a: frozenset[str], b: frozenset[str]) -> bool:
    return a <= b or b <= a


def same_measure(a: dict, b: dict, *, strict: bool) -> bool:
    """Whether two converted rows publish the same measure (see the module docstring)."""
    if a["period_label"] != b["period_label"] or a["_unit"] != b["_unit"]:
        return False
    if a["_tags"] != b["_tags"]:
        return False
    if strict:
        if a["_geo"] != b["_geo"] or a["_group"] != b["_group"]:
            return False
        return nested(a["_words"] - QUALIFIERS, b["_words"] - QUALIFIERS)
    if not (nested(a["_geo"], b["_geo"]) and nested(a["_group"], b["_group"])):
        return False
    return overlap(a["_words"], b["_words"]) >= DUPLICATE_OVERLAP


def with_keys(rows: pd.DataFrame) -> pd.DataFrame:
    """Add the normalised matching keys; `measure` holds the ';'-joined measure tags."""
    out = rows.copy()
    out["_unit"] = out["unit"].map(base_unit)
    out["_geo"] = out["geography"].map(geography_words)
    out["_group"] = out["stratum"].map(group_words)
    out["_words"] = out["indicator_text"].map(wording_words)
    out["_tags"] = [frozenset(filter(None, str(t).split(";"))) for t in out["measure"]]
    return out


def clusters(records: list[dict], linked) -> list[list[int]]:
    """Connected groups of record positions under the pairwise relation `linked`."""
    parent = list(range(len(records)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    buckets: dict[tuple, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        buckets[(record["period_label"], record["_unit"])].append(i)
    for members in buckets.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                if root(i) != root(j) and linked(records[i], records[j]):
                    parent[root(j)] = root(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(records)):
        groups[root(i)].append(i)
    return [sorted(g) for g in groups.values()]


def rank(record: dict, series_size: dict[str, int]) -> tuple:
    return (
        record["tier"] != "primary",
        "secondary" in record["flags"].split(";"),
        -series_size.get(record["indicator"], 0),
        record["figure_id"],
    )


def collapse_same_numbers(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One point per published number; the repeats go to the duplicates table."""
    records = rows.to_dict("records")
    series_size = rows["indicator"].value_counts().to_dict()
    same = clusters(
        records, lambda a, b: a["value"] == b["value"] and same_measure(a, b, strict=False)
    )
    kept, duplicates = [], []
    for group in same:
        members = sorted((records[i] for i in group), key=lambda r: rank(r, series_size))
        best, others = dict(members[0]), members[1:]
        if others:
            best["figure_id"] = ", ".join([best["figure_id"], *(o["figure_id"] for o in others)])
            cited = sorted({o["citation"] for o in others} - {best["citation"]})
            if cited:
                best["note"] = "; ".join(
                    filter(None, [best["note"], "same number also cited in: " + " | ".join(cited)])
                )
            for other in others:
                duplicates.append({**other, "duplicate_of": members[0]["figure_id"]})
        kept.append(best)
    columns = list(rows.columns)
    return (
        pd.DataFrame(kept, columns=columns),
        pd.DataFrame(duplicates, columns=[*columns, "duplicate_of"]),
    )


def split_conflicts(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Set aside points where the same measure has two values (policy in the module docstring)."""
    records = rows.to_dict("records")
    groups = [
        g
        for g in clusters(records, lambda a, b: same_measure(a, b, strict=True))
        if len({records[i]["value"] for i in g}) > 1
    ]
    drop, conflicts = set(), []
    for number, group in enumerate(groups, start=1):
        members = [records[i] for i in group]
        primary_values = {m["value"] for m in members if m["tier"] == "primary"}
        drawn_value = next(iter(primary_values)) if len(primary_values) == 1 else None
        for i, member in zip(group, members, strict=True):
            drawn = member["value"] == drawn_value and member["tier"] == "primary"
            others = [m for m in members if m["value"] != member["value"]]
            conflicts.append(
                {
                    **member,
                    "conflict_group": f"conflict {number}",
                    "drawn": drawn,
                    "conflicts_with": " | ".join(
                        f"{m['figure_id']}: {m['value']:g} ({m['citation']})" for m in others
                    ),
                }
            )
            if drawn:
                records[i]["note"] = "; ".join(
                    filter(
                        None, [member["note"], "conflicts with " + conflicts[-1]["conflicts_with"]]
                    )
                )
            else:
                drop.add(i)
    kept = pd.DataFrame(
        [r for i, r in enumerate(records) if i not in drop], columns=list(rows.columns)
    )
    columns = [*rows.columns, "conflict_group", "drawn", "conflicts_with"]
    return kept, pd.DataFrame(conflicts, columns=columns)
