"""The Use & supply page (`/use-supply`): surveys, NFLIS, seizures, wastewater and UNODC maps."""
