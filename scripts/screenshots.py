"""Screenshot every dashboard page at desktop (1400 px) and phone (390 px) width.

Serves `dashboard/app.py` on a free port against the given warehouse and saves full-page PNGs,
so a build can be looked at as a user sees it (the README's screenshots come from here).
Needs Debian's chromium (`apt-get install chromium`); never `playwright install`.

Usage: python scripts/screenshots.py --warehouse data/warehouse.duckdb --out test-artifacts/shots
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from etl.cli import streamlit_command

ROOT = Path(__file__).resolve().parent.parent
CHART = '[data-testid="stVegaLiteChart"]'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
WIDTHS = {"desktop": 1400, "phone": 390}


def page_paths() -> list[tuple[str, str]]:
    sys.path.insert(0, str(ROOT))
    source = (ROOT / "dashboard" / "app.py").read_text()
    start = source.index("PAGE_ORDER = (")
    end = source.index("\n)\n", start) + 3
    namespace: dict = {}
    exec(source[start:end], namespace)  # the literal tuple only
    return [(folder, url) for folder, _, url in namespace["PAGE_ORDER"]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(warehouse: Path, port: int) -> subprocess.Popen:
    """`ketamine-watch serve`'s own command, reading `warehouse` (whatever its file name)."""
    process = subprocess.Popen(
        streamlit_command(port, warehouse.parent),
        cwd=ROOT,
        env=os.environ | {"KETAMINE_WATCH_WAREHOUSE": str(warehouse.resolve())},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("streamlit did not start")


def settle(tab) -> None:
    tab.wait_for_selector(IDLE, state="attached", timeout=120_000)
    tab.wait_for_function(
        f"() => document.querySelectorAll('{CHART}').length === "
        f"document.querySelectorAll('{CHART} svg.marks, {CHART} canvas.marks').length",
        timeout=120_000,
    )
    tab.wait_for_timeout(1200)


def grow_to_content(tab, width: int) -> None:
    """Streamlit scrolls inside its main section, not the page: make the viewport as tall as
    that section's content so a full-page shot holds the whole page."""
    height = tab.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stAppViewContainer"], section.main\')].map(e => e.scrollHeight), 1200)'
    )
    tab.set_viewport_size({"width": width, "height": min(int(height) + 50, 30000)})
    settle(tab)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=ROOT / "data" / "warehouse.duckdb")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "shots")
    parser.add_argument("--pages", nargs="*", help="page stems to shoot (default: all)")
    parser.add_argument(
        "--widths", nargs="*", choices=sorted(WIDTHS), help="widths to shoot (default: all)"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = serve(args.warehouse, port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless"]
            )
            for label, width in WIDTHS.items():
                if args.widths and label not in args.widths:
                    continue
                context = browser.new_context(viewport={"width": width, "height": 1200})
                tab = context.new_page()
                for stem, url in page_paths():
                    if args.pages and stem not in args.pages:
                        continue
                    # The default page lives at the root; its own path answers "Page not found".
                    path_part = "" if stem == "overview" else url
                    tab.goto(f"http://127.0.0.1:{port}/{path_part}")
                    settle(tab)
                    grow_to_content(tab, width)
                    path = args.out / f"{stem}-{label}.png"
                    tab.screenshot(path=str(path), full_page=True)
                    errors = tab.locator('[data-testid="stException"]').all_inner_texts()
                    print(f"{path}{'  EXCEPTION: ' + errors[0][:200] if errors else ''}")
                context.close()
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
