"""Helpers for the alert tests (not a test module).

- `write_faers_history(root, ketamine)`: a FAERS mirror folder `root/faers_quarterly/` of one
  generated quarter per count in `ketamine` (2019Q1 on), in FDA's `$`-delimited ASCII layout: each
  quarter holds that many reports naming ketamine as primary suspect among 200 other reports.
  Synthetic test input: it never reaches the seed or the dashboard.
- `Receiver`: a JSON webhook on 127.0.0.1 recording every POST body (Apprise's `json://`).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DEMO = (
    "primaryid$caseid$caseversion$i_f_code$event_dt$mfr_dt$init_fda_dt$fda_dt$rept_cod$auth_num"
    "$mfr_num$mfr_sndr$lit_ref$age$age_cod$age_grp$sex$e_sub$wt$wt_cod$rept_dt$to_mfr$occp_cod"
    "$reporter_country$occr_country"
)
DRUG = (
    "primaryid$caseid$drug_seq$role_cod$drugname$prod_ai$val_vbm$route$dose_vbm$cum_dose_chr"
    "$cum_dose_unit$dechal$rechal$lot_num$exp_dt$nda_num$dose_amt$dose_unit$dose_form$dose_freq"
)
HEADERS = {
    "DEMO": DEMO,
    "DRUG": DRUG,
    "REAC": "primaryid$caseid$pt$drug_rec_act",
    "OUTC": "primaryid$caseid$outc_cod",
    "INDI": "primaryid$caseid$indi_drug_seq$indi_pt",
    "RPSR": "primaryid$caseid$rpsr_cod",
    "THER": "primaryid$caseid$dsg_drug_seq$start_dt$end_dt$dur$dur_cod",
}
OTHERS = 200


def quarter_rows(
    year: int, q: int, ketamine: int, first_case: int, cystitis: tuple[int, int] = (0, 0)
) -> dict[str, list[str]]:
    """One quarter's files; `cystitis` = (ketamine reports, other reports) with CYSTITIS."""
    day = f"{year}{3 * q - 2:02d}15"
    rows: dict[str, list[str]] = {kind: [header] for kind, header in HEADERS.items()}
    for n in range(ketamine + OTHERS):
        case = first_case + n
        pid = case * 10 + 1
        drug, ai = ("KETALAR", "KETAMINE HYDROCHLORIDE") if n < ketamine else ("ASPIRIN", "ASPIRIN")
        rows["DEMO"].append(
            f"{pid}${case}$1$I$$${day}${day}$EXP$$M-{case}$ACME$$40$YR$A$F$Y$$$${day}$$MD$US$US"
        )
        rows["DRUG"].append(f"{pid}${case}$1$PS${drug}${ai}$1$Oral$$$$U$U$$$$$$$")
        pt = "DISSOCIATION" if n % 2 == 0 else "NAUSEA"
        if n < cystitis[0] or ketamine <= n < ketamine + cystitis[1]:
            pt = "CYSTITIS"
        rows["REAC"].append(f"{pid}${case}${pt}$")
        rows["OUTC"].append(f"{pid}${case}$OT")
    return rows


def write_faers_history(
    root: Path, ketamine: list[int], cystitis: list[tuple[int, int]] | None = None
) -> Path:
    """One quarter per count, from 2019Q1; returns the mirror root (holding faers_quarterly/).
    `cystitis[i]`: (ketamine, other) reports with the reaction CYSTITIS in quarter i."""
    case = 1_000_000
    for i, count in enumerate(ketamine):
        year, q = 2019 + i // 4, i % 4 + 1
        tag = f"{year % 100:02d}Q{q}"
        folder = root / "faers_quarterly" / f"faers_ascii_{year}q{q}" / "ASCII"
        folder.mkdir(parents=True)
        extra = cystitis[i] if cystitis else (0, 0)
        for kind, lines in quarter_rows(year, q, count, case, extra).items():
            (folder / f"{kind}{tag}.txt").write_text("\n".join(lines) + "\n")
        case += count + OTHERS
    return root


class Receiver:
    """A JSON webhook on 127.0.0.1: `url` is Apprise's json:// address, `posts` the bodies."""

    def __init__(self, status: int = 200) -> None:
        self.posts: list[dict] = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if receiver.status == 200:
                    receiver.posts.append(json.loads(body or b"{}"))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/alerts"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
