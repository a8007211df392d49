"""Aberration detection: the detectors (Farrington flexible, EWMA, logit regression), the rules
that pick one per series (etl/data/alert_rules.csv), the alerts table and their delivery."""
