"""The Poison centers & deaths page (`/poison-centers-deaths`)."""
