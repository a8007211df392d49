"""The Cross-stream trends page (`/trends`): harm streams indexed to a base year."""
