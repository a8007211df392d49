"""The Adverse events page (`/adverse-events`): FAERS and openFDA reports, signals, comparators."""
