"""``cockpit runbooks search|index`` and ``cockpit triage list|export``, run as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cockpit.core.models import Alert, Deploy, SourceKind, SourceState
from cockpit.engine.runbooks.doc import parse_runbook
from cockpit.engine.triage.store import TriageStore

ROOT = Path(__file__).resolve().parents[1]
REAL_RUNBOOKS = ROOT.parent / "shared" / "realworld" / "runbooks" / "prometheus-operator"
T0 = datetime(2026, 11, 27, 9, 30, tzinfo=timezone.utc)


def cockpit(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COCKPIT_CONFIG",)}
    env.update(COCKPIT_CACHE_DIR=str(tmp_path / "cache"), XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    return subprocess.run(
        [sys.executable, "-m", "cockpit", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def config(tmp_path: Path, paths: list[str], prefixes: list[str] | None = None, extra: str = "") -> Path:
    file = tmp_path / "config.toml"
    body = f'[[sources]]\nname = "runbooks"\ntype = "runbooks"\npaths = {json.dumps(paths)}\n'
    if prefixes:
        body += f"url_prefixes = {json.dumps(prefixes)}\n"
    file.write_text(body + extra)
    return file


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "books"
    (root / "db").mkdir(parents=True)
    (root / "db" / "PostgresReplicationLag.md").write_text("# Postgres replication lag\n\nCheck the WAL sender.\n")
    (root / "Evil.md").write_text("# Evil\x1b]0;owned\x07 title\n\nreplication \x1b[2J text\n")
    return root


def test_search_prints_json_hits_best_first(tmp_path: Path, corpus: Path):
    cfg = config(tmp_path, ["books"])  # relative to the config file's folder
    result = cockpit(tmp_path, "runbooks", "search", "replication", "--config", str(cfg), "--json")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert [h["path"] for h in hits] == ["db/PostgresReplicationLag.md", "Evil.md"]
    assert set(hits[0]) >= {"path", "title", "score", "snippet"}
    assert hits[0]["title"] == "Postgres replication lag" and hits[0]["score"] >= hits[1]["score"]
    assert "\x1b" not in result.stdout  # JSON escapes the control characters


def test_search_text_output_is_cleaned_and_limited(tmp_path: Path, corpus: Path):
    cfg = config(tmp_path, [str(corpus)])
    result = cockpit(tmp_path, "--config", str(cfg), "runbooks", "search", "replication", "--limit", "1")
    assert result.returncode == 0, result.stderr
    assert "db/PostgresReplicationLag.md" in result.stdout and "Evil.md" not in result.stdout
    evil = cockpit(tmp_path, "runbooks", "search", "evil", "--config", str(cfg))
    assert "Evil.md" in evil.stdout and "\x1b" not in evil.stdout and "\x07" not in evil.stdout


def test_no_hits_is_success_with_an_empty_list(tmp_path: Path, corpus: Path):
    cfg = config(tmp_path, [str(corpus)])
    result = cockpit(tmp_path, "runbooks", "search", "nothingmatchesthis", "--config", str(cfg), "--json")
    assert (result.returncode, json.loads(result.stdout)) == (0, [])
    odd = cockpit(tmp_path, "runbooks", "search", '"NEAR(', "--config", str(cfg), "--json")
    assert (odd.returncode, json.loads(odd.stdout)) == (0, [])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["runbooks", "search", "x", "--limit", "0"], "--limit"),
        (["runbooks", "search"], "QUERY"),
        (["runbooks"], "search"),
        (["runbooks", "search", "x", "--config", "MISSING"], "no config file there"),
    ],
)
def test_bad_usage_exits_2(tmp_path: Path, args: list[str], needle: str):
    args = [str(tmp_path / a) if a == "MISSING" else a for a in args]
    result = cockpit(tmp_path, *args)
    assert result.returncode == 2 and needle in result.stderr
    assert "Traceback" not in result.stderr


def test_config_without_runbooks_or_with_a_bad_key_exits_2(tmp_path: Path, corpus: Path):
    file = tmp_path / "other.toml"
    file.write_text('[[sources]]\nname = "demo"\ntype = "demo"\n')
    result = cockpit(tmp_path, "runbooks", "search", "x", "--config", str(file))
    assert result.returncode == 2 and 'type = "runbooks"' in result.stderr
    bad = config(tmp_path, [str(corpus)], extra="url_prefix = 'typo'\n")
    result = cockpit(tmp_path, "runbooks", "search", "x", "--config", str(bad))
    assert result.returncode == 2 and "url_prefix" in result.stderr and "Traceback" not in result.stderr
    gone = config(tmp_path, [str(tmp_path / "gone")])
    result = cockpit(tmp_path, "runbooks", "index", "--config", str(gone))
    assert result.returncode == 2 and "gone" in result.stderr


def test_index_reports_what_changed(tmp_path: Path, corpus: Path):
    cfg = config(tmp_path, [str(corpus)])
    first = cockpit(tmp_path, "runbooks", "index", "--config", str(cfg))
    assert first.returncode == 0 and "2 added" in first.stdout
    (corpus / "New.md").write_text("# New\n")
    second = cockpit(tmp_path, "runbooks", "index", "--config", str(cfg))
    assert second.returncode == 0 and "1 added, 0 updated, 0 removed, 2 unchanged" in second.stdout
    assert (tmp_path / "cache" / "runbooks.sqlite").is_file()


@pytest.mark.skipif(not REAL_RUNBOOKS.is_dir(), reason="realworld prometheus-operator runbooks absent")
def test_real_corpus_crashlooping_first(tmp_path: Path):
    cfg = config(tmp_path, [str(REAL_RUNBOOKS)], ["https://runbooks.prometheus-operator.dev/runbooks/"])
    result = cockpit(tmp_path, "runbooks", "search", "KubePodCrashLooping", "--config", str(cfg), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["path"] == "kubernetes/KubePodCrashLooping.md"


def test_demo_flag_searches_the_bundled_runbooks(tmp_path: Path):
    result = cockpit(tmp_path, "runbooks", "search", "--demo", "certificate", "renewal", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["path"] == "CertificateExpiringSoon.md"


def test_triage_list_and_export(tmp_path: Path, corpus: Path):
    alert = Alert(source="am", fingerprint="f1", name="PostgresReplicationLag", starts_at=T0, labels={"service": "orders"})
    store = TriageStore.in_cache(tmp_path / "cache")
    triage = store.start(alert, parse_runbook((corpus / "db/PostgresReplicationLag.md").read_text(), "x"), now=T0)
    store.tick(triage, 1, now=T0.replace(minute=35))
    store.note(triage, "lag back under 1s", step_id=1, now=T0.replace(minute=36))
    listed = cockpit(tmp_path, "triage", "list")
    assert listed.returncode == 0 and triage.id in listed.stdout and "1/5" in listed.stdout

    # a deploy the cache learnt about after the triage started shows up in the export
    cfg = config(tmp_path, [str(corpus)], extra='\n[[sources]]\nname = "argo"\ntype = "demo"\n')
    from cockpit.engine.cache import CacheStore

    cache = CacheStore(tmp_path / "cache")
    deploy = Deploy(source="argo", id="d", service="orders", version="v7", started_at=T0.replace(minute=20))
    cache.save(SourceState(name="argo", type="demo", kind=SourceKind.DEPLOYS, items=[deploy]))
    cache.close()
    exported = cockpit(tmp_path, "triage", "export", triage.id, "--config", str(cfg))
    assert exported.returncode == 0, exported.stderr
    assert "# Incident timeline: PostgresReplicationLag" in exported.stdout
    # a runbook with prose only: the generic steps (its heading is no step)
    assert "2026-11-27 09:35:00Z done: Acknowledge the alert" in exported.stdout
    assert "2026-11-27 09:36:00Z note on Acknowledge the alert: lag back under 1s" in exported.stdout
    assert "2026-11-27 09:20:00Z deploy orders v7" in exported.stdout

    missing = cockpit(tmp_path, "triage", "export", "20260101-000000-nope-000000")
    assert missing.returncode == 1 and "no triage" in missing.stderr


def test_triage_export_to_output_writes_a_private_file_and_says_where(tmp_path: Path):
    alert = Alert(source="am", fingerprint="f1", name="PodCrashLooping", starts_at=T0,
                  labels={"service": "orders", "namespace": "shop"})
    state = tmp_path / "state"
    runbook = parse_runbook("# Pod crash\n\n- [ ] Find the pod: `kubectl -n $NAMESPACE get pod`\n", "x")
    triage = TriageStore.in_cache(state).start(alert, runbook, now=T0)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("COCKPIT_CONFIG",)}
        env.update(COCKPIT_CACHE_DIR=str(tmp_path / "cache"), COCKPIT_STATE_DIR=str(state),
                   XDG_CONFIG_HOME=str(tmp_path / "xdg"))
        return subprocess.run([sys.executable, "-m", "cockpit", *args], capture_output=True, text=True, env=env,
                              cwd=ROOT, timeout=120)

    folder = tmp_path / "out"
    folder.mkdir()
    for output, expected in ((folder, folder / f"triage-{triage.id}.md"), (folder / "mine.md", folder / "mine.md")):
        result = run("triage", "export", triage.id, "--output", str(output))
        assert result.returncode == 0, result.stderr
        assert result.stdout == "" and str(expected) in result.stderr  # the path is said
        text = expected.read_text()
        assert "- [ ] Find the pod: `kubectl -n shop get pod`" in text and "\\`" not in text
        assert expected.stat().st_mode & 0o777 == 0o600
    (folder / "file").write_text("x")
    refused = run("triage", "export", triage.id, "--output", str(folder / "file" / "below.md"))
    assert refused.returncode == 1 and "--output" in refused.stderr and "Traceback" not in refused.stderr
