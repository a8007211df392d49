"""The `refresh` command's options, as typed annotations, so the command reads as its steps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir", envvar="KETAMINE_WATCH_DATA", help="Folder holding warehouse.duckdb and raw/."
    ),
]
SeedDir = Annotated[
    Path, typer.Option("--seed-dir", envvar="KETAMINE_WATCH_SEED", help="The bundled seed.")
]
Address = Annotated[
    str,
    typer.Option(
        "--address",
        help="Address to listen on (0.0.0.0 to serve other machines).",
        envvar="KETAMINE_WATCH_ADDRESS",
    ),
]

Offline = Annotated[
    bool,
    typer.Option(
        "--offline/--online",
        help="--offline never touches the network (last good snapshot, else seed); "
        "--online (the default) fetches from the publishers first.",
    ),
]

Mirror = Annotated[
    str | None,
    typer.Option(
        "--mirror",
        help="Read DIR/<source_id>/... (or an http(s) base URL) instead of the publishers.",
    ),
]

AcceptShrink = Annotated[
    bool,
    typer.Option(
        "--accept-shrink",
        help="Publish the named sources' new rows even where they lose published "
        "indicators, years, places or rows (a real shrink); once, and logged.",
    ),
]

Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log each stage.")]

Deadline = Annotated[
    float,
    typer.Option(
        "--deadline",
        min=1,
        help="Seconds the whole run may take; a source not begun by then keeps its "
        "previous rows (failed), and no download runs past it.",
    ),
]

SourceDeadline = Annotated[
    float,
    typer.Option(
        "--source-deadline", min=1, help="Seconds one source's downloads may take in all."
    ),
]

FaersFrom = Annotated[
    str | None,
    typer.Option(
        "--faers-from",
        envvar="KETAMINE_WATCH_FAERS_FROM",
        help="FAERS: hold quarters from this one on, e.g. 2015Q1 (default: 2004Q1, the "
        "full history).",
    ),
]

FaersQuarters = Annotated[
    int | None,
    typer.Option(
        "--faers-quarters",
        envvar="KETAMINE_WATCH_FAERS_QUARTERS",
        min=1,
        help="FAERS: hold at most the newest N quarters (default: all).",
    ),
]
