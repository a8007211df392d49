"""The Overview page (`/`, `/overview`): stream cards, what changed, one series explored."""
