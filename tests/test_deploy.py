"""deploy/: scheduled commands use real CLI options; the guide covers statuses and exit codes."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.cli import app

COMMAND = re.compile(r"ketamine-watch (refresh|status)([^;|&\n>'\"]*)")
DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def commands() -> list[list[str]]:
    """Every `ketamine-watch ...` invocation in deploy/, split into arguments."""
    found = []
    for path in sorted(DEPLOY.iterdir()):
        if path.suffix == ".md":
            continue
        for match in COMMAND.finditer(path.read_text()):
            found.append([match[1], *shlex.split(match[2])])
    return found


def test_deploy_has_cron_systemd_and_ci():
    names = {p.name for p in DEPLOY.iterdir()}
    assert {
        "cron.txt",
        "ketamine-watch-refresh.service",
        "ketamine-watch-refresh.timer",
        "github-actions-refresh.yml",
    } <= names
    cron = [
        line
        for line in (DEPLOY / "cron.txt").read_text().splitlines()
        if line and not line.startswith("#") and "=" not in line.split()[0]
    ]
    assert len(cron) == 1 and len(cron[0].split()[:5]) == 5
    service = (DEPLOY / "ketamine-watch-refresh.service").read_text()
    assert "Type=oneshot" in service and "ExecStart=" in service
    assert "OnCalendar=" in (DEPLOY / "ketamine-watch-refresh.timer").read_text()
    workflow = (DEPLOY / "github-actions-refresh.yml").read_text()
    assert "schedule:" in workflow and "upload-artifact" in workflow
    assert "warehouse.duckdb" in workflow


@pytest.mark.parametrize("args", commands(), ids=lambda a: " ".join(a))
def test_scheduled_commands_use_real_options(args: list[str]):
    help_text = CliRunner().invoke(app, [args[0], "--help"], env={"COLUMNS": "200"}).output
    for option in (a for a in args[1:] if a.startswith("-")):
        assert option in help_text, f"{option} is not an option of `{args[0]}`"


def test_operating_guide_covers_the_statuses_and_exit_codes():
    readme = (DEPLOY.parent / "README.md").read_text()
    guide = readme[readme.index("## Operating it") : readme.index("## Troubleshooting")]
    for word in (
        "`ok`",
        "`fallback`",
        "`kept`",
        "`empty`",
        "`failed`",
        "`partial`",
        "runs",
        "status",
        "refresh.lock",
        "raw/",
        "OPENFDA_API_KEY",
        "exits 0",
    ):
        assert word in guide, word


def test_the_dashboard_listens_locally_unless_told_otherwise() -> None:
    from etl.cli import streamlit_command

    local = streamlit_command(8501, Path("data"))
    assert local[local.index("--server.address") + 1] == "127.0.0.1"
    shared = streamlit_command(8501, Path("data"), "0.0.0.0")
    assert shared[shared.index("--server.address") + 1] == "0.0.0.0"
