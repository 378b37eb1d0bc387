"""Every HTTP source goes through HTTPS_PROXY/HTTP_PROXY (minus NO_PROXY) and verifies with
SSL_CERT_FILE by default; per source, ``proxy = "..."`` and ``trust_env = false`` override.

Through a REAL proxy (tinyproxy on loopback) to a loopback upstream that records whether each
request arrived through it. The sources are built from the example ``cockpit config init``
writes, one per HTTP source type, pointed at the upstream.
"""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cockpit.commands.config import example_config
from cockpit.core.errors import SourceError
from cockpit.engine.registry import build_source, load_source_class
from cockpit.sources.base import SourceContext
from cockpit.sources.http import HttpOptions
from tests.api_servers import LoopbackServer
from tests.proxy_server import RecordingApi, start_tinyproxy


def http_source_tables() -> list[dict[str, Any]]:
    """One [[sources]] table per HTTP source type, from the example config, uncommented."""
    text = "\n".join(line[2:] if line.startswith("# ") else line for line in example_config().splitlines())
    tables = []
    for raw in tomllib.loads(text)["sources"]:
        if issubclass(load_source_class(raw["type"]).Options, HttpOptions):
            drop = ("proxy", "trust_env", "url", "urls", "token_env", "password_env")
            tables.append({k: v for k, v in raw.items() if k not in drop} | {"token": "test-token"})
    return tables


TABLES = http_source_tables()


def test_the_example_has_every_http_source_type():
    assert {"alertmanager", "prometheus-alerts", "prometheus-slo", "pagerduty", "github", "gitlab", "argocd",
            "jenkins"} <= {t["type"] for t in TABLES}


def poll(table: dict[str, Any], url: str, tmp_path: Path, **options: Any) -> SourceError | None:
    """Build the source at ``url`` with ``options`` and poll it once; the error, if any."""
    raw = dict(table, url=url, timeout="10s", **options)
    name, type_name = raw.pop("name"), raw.pop("type")
    opts = load_source_class(type_name).Options.model_validate(raw)
    source = build_source(name, type_name, opts, SourceContext(cache_dir=tmp_path))

    async def run() -> SourceError | None:
        try:
            await source.fetch()
        except SourceError as exc:
            return exc
        finally:
            await source.close()
        return None

    return asyncio.run(run())


@pytest.fixture
def proxy(tmp_path):
    started = start_tinyproxy(tmp_path)
    yield started
    started.stop()


@pytest.fixture
def upstream():
    with LoopbackServer(RecordingApi()) as server:
        yield server


@pytest.fixture(autouse=True)
def _no_proxy_vars(monkeypatch):
    for var in ("NO_PROXY", "no_proxy"):  # conftest clears the others
        monkeypatch.delenv(var, raising=False)


def routes(api: RecordingApi, table, url, tmp_path, **options) -> list[bool]:
    before = len(api.via_proxy())
    poll(table, url, tmp_path, **options)
    seen = api.via_proxy()[before:]
    assert seen, f"{table['type']}: no request reached the upstream"
    return seen


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t["type"])
def test_environment_proxy_is_used_and_no_proxy_honoured(table, proxy, upstream, monkeypatch, tmp_path):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    assert all(routes(upstream.api, table, upstream.url, tmp_path))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert not any(routes(upstream.api, table, upstream.url, tmp_path))


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t["type"])
def test_trust_env_false_ignores_the_environment_proxy(table, proxy, upstream, monkeypatch, tmp_path):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    assert not any(routes(upstream.api, table, upstream.url, tmp_path, trust_env=False))


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t["type"])
def test_a_source_proxy_wins_over_the_environment(table, proxy, upstream, monkeypatch, tmp_path):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert all(routes(upstream.api, table, upstream.url, tmp_path, proxy=proxy.url))


def test_the_proxy_itself_logged_what_it_forwarded(proxy, upstream, monkeypatch, tmp_path):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    table = next(t for t in TABLES if t["type"] == "prometheus-alerts")
    routes(upstream.api, table, upstream.url, tmp_path)
    proxy.stop()
    assert "Established connection to host \"127.0.0.1\"" in proxy.log.read_text(errors="replace")


# --- SSL_CERT_FILE ---------------------------------------------------------------------------


@pytest.fixture
def tls_upstream(tmp_path):
    """The recording upstream over HTTPS with a self-signed certificate for 127.0.0.1."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        capture_output=True, text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"openssl cannot make a test certificate: {made.stderr[-300:]}")
    server = LoopbackServer(RecordingApi())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    with server:
        yield server.url.replace("http://", "https://"), cert


@pytest.mark.parametrize("table", [t for t in TABLES if t["type"] in ("prometheus-alerts", "prometheus-slo", "github")],
                         ids=lambda t: t["type"])
def test_ssl_cert_file_is_trusted_unless_trust_env_is_false(table, tls_upstream, monkeypatch, tmp_path):
    url, cert = tls_upstream
    failed = poll(table, url, tmp_path)
    assert failed is not None and ("TLS" in failed.message or "certificate" in failed.message.lower())
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    error = poll(table, url, tmp_path)
    assert error is None or ("TLS" not in error.message and "certificate" not in error.message.lower())
    refused = poll(table, url, tmp_path, trust_env=False)
    assert refused is not None and ("TLS" in refused.message or "certificate" in refused.message.lower())
