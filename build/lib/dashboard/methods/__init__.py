"""The Data & methods page (`/methods`): sources, runs, rules, set-aside figures, downloads."""
