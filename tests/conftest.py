"""Shared test fixtures: a local HTTP server on 127.0.0.1 and the path to real publisher files."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# A route is (status, headers, body), a callable(handler) that writes the response itself (or
# returns such a tuple), or a list of those served in turn (the last one repeats).
# In headers, a value of None leaves that header out (e.g. {"Content-Length": None} for a body
# delimited by closing the connection); otherwise Content-Length is filled in from the body.
Response = tuple[int, dict[str, str | None], bytes | str]
Route = Response | Callable[[BaseHTTPRequestHandler], Response | None] | list[Any]


@dataclass
class SeenRequest:
    method: str
    path: str  # with query string
    headers: dict[str, str]


@dataclass
class LocalServer:
    """Handle to the running server. Set `routes[path] = ...` then fetch `url(path)`."""

    host: str
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[SeenRequest] = field(default_factory=list)
    _served: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def hits(self, path: str) -> int:
        """How many requests reached `path` (query string ignored)."""
        return sum(1 for r in self.requests if urlsplit(r.path).path == path)

    @staticmethod
    def send(
        handler: BaseHTTPRequestHandler,
        status: int,
        headers: dict[str, str | None],
        body: bytes | str = b"",
    ) -> None:
        """Write a whole response from inside a callable route."""
        send(handler, status, headers, body)

    def _pick(self, raw_path: str) -> Route | None:
        path = urlsplit(raw_path).path
        key = raw_path if raw_path in self.routes else path
        route = self.routes.get(key)
        if isinstance(route, list):
            with self._lock:
                n = self._served.get(key, 0)
                self._served[key] = n + 1
            return route[min(n, len(route) - 1)]
        return route


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    headers: dict[str, str | None],
    body: bytes | str = b"",
) -> None:
    """Write a whole response: status line, headers (Content-Length unless given/None), body."""
    data = body.encode() if isinstance(body, str) else body
    handler.send_response(status)
    sent_length = False
    for name, value in headers.items():
        if name.lower() == "content-length":
            sent_length = True
        if value is not None:
            handler.send_header(name, value)
    if not sent_length:
        handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    if data and handler.command != "HEAD":
        handler.wfile.write(data)


def _make_handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection; a body may end at close

        def do_GET(self) -> None:
            server.requests.append(SeenRequest(self.command, self.path, dict(self.headers)))
            route = server._pick(self.path)
            if route is None:
                send(self, 404, {"Content-Type": "text/plain"}, b"no route\n")
                return
            result = route(self) if callable(route) else route
            if result is not None:
                send(self, *result)

        do_HEAD = do_GET

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-response is part of the fault tests


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A real HTTP server on 127.0.0.1 (random port) in a background thread, per test."""
    handle = LocalServer(host="127.0.0.1", port=0)
    httpd = _QuietServer(("127.0.0.1", 0), _make_handler(handle))
    handle.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01})
    thread.daemon = True
    thread.start()
    try:
        yield handle
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def shared_raw() -> Path:
    """Real publisher files in ../shared/data/raw (never committed); skip when not present."""
    path = (REPO_ROOT / ".." / "shared" / "data" / "raw").resolve()
    if not path.is_dir():
        pytest.skip(f"{path} not present: real publisher files are not in this checkout")
    return path


@pytest.fixture(scope="session")
def seed_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built offline from the bundled seed, once per test session (read-only use)."""
    from etl.refresh import RefreshOptions, refresh
    from etl.sources import SOURCES

    data_dir = tmp_path_factory.mktemp("seed-warehouse")
    refresh(SOURCES, None, RefreshOptions(mode="offline", data_dir=data_dir))
    return data_dir / "warehouse.duckdb"


@pytest.fixture(scope="session")
def real_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built from the publishers' real files (`refresh --mirror ../shared/data/raw`,
    what an online install loads), once per test session (read-only use); skipped when the
    files are not here."""
    from etl.refresh import RefreshOptions, refresh
    from etl.sources import SOURCES

    raw = (REPO_ROOT / ".." / "shared" / "data" / "raw").resolve()
    if not raw.is_dir():
        pytest.skip(f"{raw} not present: real publisher files are not in this checkout")
    data_dir = tmp_path_factory.mktemp("real-warehouse")
    refresh(SOURCES, None, RefreshOptions(mode="mirror", mirror=str(raw), data_dir=data_dir))
    return data_dir / "warehouse.duckdb"


@pytest.fixture
def dashboard_env(seed_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the dashboard at the seed warehouse and start each test with an empty cache."""
    import streamlit as st

    monkeypatch.setenv("KETAMINE_WATCH_WAREHOUSE", str(seed_warehouse))
    st.cache_data.clear()
    return seed_warehouse


@pytest.fixture(scope="session")
def hostile_warehouse(seed_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed warehouse plus the live-only sources' fixtures, with markdown, HTML and a bare
    URL appended to every text field a page shows (tests/hostile_kit.py), once per session."""
    from tests.hostile_kit import build_hostile_warehouse

    return build_hostile_warehouse(seed_warehouse, tmp_path_factory.mktemp("hostile-warehouse"))
