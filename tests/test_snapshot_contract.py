"""``cockpit snapshot --format json`` keeps the contract's keys; failures exit 1 with cached data."""

from __future__ import annotations

import json
import re
from pathlib import Path

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
KEYS = {
    "top": {"generated_at", "sources", "alerts", "slos", "deploys", "pipelines"},
    "sources": {"name", "type", "kind", "status", "fetched_at", "age_s", "error", "degraded"},
    "alerts": {"source", "fingerprint", "name", "severity", "state", "starts_at", "labels", "annotations",
               "summary", "generator_url", "runbook", "silenced_by", "peers"},
    "slos": {"source", "id", "service", "name", "objective", "period", "burn_rates", "error_budget_remaining",
             "status", "generator"},
    "deploys": {"source", "service", "environment", "version", "status", "started_at", "finished_at", "author", "url"},
    "pipelines": {"source", "repo", "name", "branch", "commit", "status", "started_at", "duration_s", "author", "url"},
}


def test_demo_snapshot_json_has_every_contract_key_and_data(run_cli) -> None:
    result = run_cli("snapshot", "--demo", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == KEYS["top"]
    assert RFC3339.match(data["generated_at"])
    for section in ("sources", "alerts", "slos", "deploys", "pipelines"):
        assert data[section], f"{section} is empty"
        for row in data[section]:
            assert set(row) == KEYS[section], section
    assert data["sources"][0]["status"] == "ok" and data["sources"][0]["error"] is None
    assert {a["state"] for a in data["alerts"]} <= {"firing", "pending", "silenced", "inhibited"}
    assert all(RFC3339.match(a["starts_at"]) for a in data["alerts"])
    for slo in data["slos"]:
        assert set(slo["burn_rates"]) == {"5m", "30m", "1h", "2h", "6h", "1d", "3d"}
        assert 0 < slo["objective"] < 1 and slo["status"] in {"ok", "ticket", "page"}
    assert any(s["status"] == "page" for s in data["slos"]), "the demo has one SLO burning fast"
    statuses = {"succeeded", "failed", "running", "queued", "cancelled"}
    assert {d["status"] for d in data["deploys"]} <= statuses
    assert {p["status"] for p in data["pipelines"]} <= statuses and any(p["status"] == "failed" for p in data["pipelines"])
    sevs = [a["severity"] for a in data["alerts"]]
    assert sevs.index("critical") < sevs.index("warning") < sevs.index("info")


def test_text_and_markdown_formats(run_cli) -> None:
    text = run_cli("snapshot", "--demo", "--format", "text")
    assert text.returncode == 0 and "Alerts (" in text.stdout and "KubePodCrashLooping" in text.stdout
    md = run_cli("snapshot", "--demo", "--format", "markdown")
    assert md.returncode == 0 and "## SLOs" in md.stdout and "| service |" in md.stdout


def test_failed_source_exits_1_and_prints_its_cached_data_marked(tmp_path: Path, run_cli) -> None:
    config = tmp_path / "c.toml"
    # A dead port: connection refused at once.
    config.write_text('[[sources]]\nname = "am"\ntype = "prometheus-alerts"\nurl = "http://127.0.0.1:9"\ntimeout = "2s"\n')
    from cockpit.engine.cache import CacheStore
    from cockpit.core.models import Alert, SourceKind, SourceState, utcnow
    from cockpit.engine.paths import cache_dir

    store = CacheStore(cache_dir())
    store.save(SourceState(name="am", type="prometheus-alerts", kind=SourceKind.ALERTS, fetched_at=utcnow(),
                           items=[Alert(source="am", fingerprint="f", name="CachedAlert")]))
    store.close()
    result = run_cli("snapshot", "--config", str(config), "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["sources"][0]["status"] == "error" and "refused" in data["sources"][0]["error"]
    assert [a["name"] for a in data["alerts"]] == ["CachedAlert"]
