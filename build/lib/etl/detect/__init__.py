"""Aberration detection: the detectors (Farrington flexible, EWMA, logit regression), the rules
that pick one per series (etl/data/alert_rules.csv), the alerts table and their delivery."""


def words(text: str) -> tuple[str, ...]:
    """Column names written as one space-separated string (short to read)."""
    return tuple(text.split())
