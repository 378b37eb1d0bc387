"""PagerDuty writes (acknowledge, resolve, note) against a loopback server answering like the REST API v2.

Each write: the documented request shape with the required ``From`` header, sent once (never
retried, not after a 401, a 429 or a timeout), refused in read-only mode before anything leaves,
and recorded in the audit log as an intent before sending and the upstream's answer after.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.core.errors import SourceAuthError, SourceBadResponse, SourceRateLimited, SourceTimeout, SourceWriteRefused
from cockpit.engine.audit import AuditLog
from cockpit.engine.incidents import add_incident_note, preview, update_incidents
from cockpit.sources.base import SourceContext
from cockpit.sources.pagerduty import PagerDutySource
from tests.pagerduty_server import PagerDutyServer, make_incident


@pytest.fixture
def api():
    server = PagerDutyServer(incidents=[make_incident(1, "Checkout 5xx above 5%"), make_incident(2, "Disk full"),
                                        make_incident(3, "Queue backlog")]).start()
    yield server
    server.stop()


def pd(api: PagerDutyServer, tmp_path: Path, monkeypatch, **options) -> PagerDutySource:
    monkeypatch.setenv("PAGERDUTY_TOKEN", api.token)
    options.setdefault("from_email", "ada@example.com")
    options.setdefault("timeout", "5s")
    opts = PagerDutySource.Options(url=api.url, on_call=False, **options)
    return PagerDutySource("pd", opts, SourceContext(cache_dir=tmp_path))


async def alerts_of(source: PagerDutySource) -> dict[str, object]:
    return {a.fingerprint: a for a in (await source.fetch()).items}


async def test_acknowledge_sends_one_put_with_from_and_the_next_poll_shows_who(api, tmp_path, monkeypatch) -> None:
    source = pd(api, tmp_path, monkeypatch)
    audit = AuditLog.in_dir(tmp_path)
    try:
        alert = (await alerts_of(source))["pd-PINC0001"]
        answered = await update_incidents(source, [alert], "acknowledged", read_only=False, audit=audit, who="ada")
        after = await alerts_of(source)
    finally:
        await source.close()
    assert answered == {"PINC0001": "acknowledged"}
    [write] = api.writes()
    assert (write.method, write.path) == ("PUT", "/incidents/PINC0001")
    assert write.headers["from"] == "ada@example.com"
    assert write.headers["authorization"] == f"Token token={api.token}"
    assert write.json() == {"incident": {"type": "incident_reference", "status": "acknowledged"}}
    acked = after["pd-PINC0001"]
    assert acked.labels["pd_status"] == "acknowledged"
    assert acked.annotations["acknowledged_by"] == "Ada Lovelace"
    intent, outcome = audit.entries()
    assert (intent["what"], intent["result"], intent["who"]) == ("acknowledge_incident", "sending", "ada")
    assert intent["details"]["incidents"] == ["PINC0001"]
    assert outcome["result"] == "ok" and outcome["details"]["answered"] == {"PINC0001": "acknowledged"}


async def test_resolving_several_incidents_is_one_put_and_they_leave_the_list(api, tmp_path, monkeypatch) -> None:
    source = pd(api, tmp_path, monkeypatch)
    audit = AuditLog.in_dir(tmp_path)
    try:
        current = await alerts_of(source)
        chosen = [current["pd-PINC0001"], current["pd-PINC0003"]]
        assert preview("resolve", chosen, "pd") == "Resolve 2 incidents on pd?  y: yes · any other key: no"
        answered = await update_incidents(source, chosen, "resolved", read_only=False, audit=audit, who="ada")
        after = await alerts_of(source)
    finally:
        await source.close()
    [write] = api.writes()
    assert (write.method, write.path) == ("PUT", "/incidents")
    assert write.json() == {"incidents": [
        {"id": "PINC0001", "type": "incident_reference", "status": "resolved"},
        {"id": "PINC0003", "type": "incident_reference", "status": "resolved"}]}
    assert answered == {"PINC0001": "resolved", "PINC0003": "resolved"}
    assert set(after) == {"pd-PINC0002"}
    assert [e["result"] for e in audit.entries()] == ["sending", "ok"]


async def test_a_note_is_posted_to_the_incident(api, tmp_path, monkeypatch) -> None:
    source = pd(api, tmp_path, monkeypatch)
    audit = AuditLog.in_dir(tmp_path)
    try:
        alert = (await alerts_of(source))["pd-PINC0002"]
        note_id = await add_incident_note(source, alert, "rolled back v2.14", read_only=False, audit=audit, who="ada")
    finally:
        await source.close()
    [write] = api.writes()
    assert (write.method, write.path, write.json()) == ("POST", "/incidents/PINC0002/notes",
                                                      {"note": {"content": "rolled back v2.14"}})
    assert write.headers["from"] == "ada@example.com"
    assert note_id == "PNOTE001" and api.notes["PINC0002"][0]["content"] == "rolled back v2.14"
    assert audit.entries()[-1]["details"] == {"incident": "PINC0002", "title": "Disk full",
                                              "note": "rolled back v2.14", "note_id": "PNOTE001"}


@pytest.mark.parametrize("write", ["acknowledged", "resolved", "note"])
async def test_read_only_refuses_every_write_before_sending(api, tmp_path, monkeypatch, write) -> None:
    source = pd(api, tmp_path, monkeypatch)
    audit = AuditLog.in_dir(tmp_path)
    try:
        alert = (await alerts_of(source))["pd-PINC0001"]
        with pytest.raises(SourceWriteRefused, match="read-only"):
            if write == "note":
                await add_incident_note(source, alert, "x", read_only=True, audit=audit, who="ada")
            else:
                await update_incidents(source, [alert], write, read_only=True, audit=audit, who="ada")
    finally:
        await source.close()
    assert api.writes() == []
    [entry] = audit.entries()
    assert entry["result"] == "refused" and "read-only" in entry["error"]


async def test_without_from_email_nothing_is_sent(api, tmp_path, monkeypatch) -> None:
    source = pd(api, tmp_path, monkeypatch, from_email=None)
    audit = AuditLog.in_dir(tmp_path)
    try:
        alert = (await alerts_of(source))["pd-PINC0001"]
        with pytest.raises(SourceWriteRefused, match="from_email"):
            await update_incidents(source, [alert], "acknowledged", read_only=False, audit=audit, who="ada")
    finally:
        await source.close()
    assert api.writes() == []
    assert [e["result"] for e in audit.entries()] == ["sending", "refused"]


async def test_the_server_requires_from_and_its_answer_is_audited(api, tmp_path, monkeypatch) -> None:
    source = pd(api, tmp_path, monkeypatch, from_email="nobody@example.com")
    audit = AuditLog.in_dir(tmp_path)
    try:
        alert = (await alerts_of(source))["pd-PINC0001"]
        with pytest.raises(SourceBadResponse, match="Requester User Not Found"):
            await update_incidents(source, [alert], "acknowledged", read_only=False, audit=audit, who="ada")
    finally:
        await source.close()
    assert len(api.writes()) == 1
    outcome = audit.entries()[-1]
    assert outcome["result"] == "error" and "400" in outcome["error"] and "1008" in outcome["error"]


async def test_401_is_an_auth_error_sent_once_and_the_token_stays_out_of_the_log(api, tmp_path, monkeypatch) -> None:
    source = pd(api, tmp_path, monkeypatch)
    audit = AuditLog.in_dir(tmp_path)
    try:
        alert = (await alerts_of(source))["pd-PINC0001"]
        await source.close()
        monkeypatch.setenv("PAGERDUTY_TOKEN", "stolen-looking-secret")
        with pytest.raises(SourceAuthError, match="401"):
            await update_incidents(source, [alert], "acknowledged", read_only=False, audit=audit, who="ada")
    finally:
        await source.close()
    assert len(api.writes()) == 1
    assert audit.entries()[-1]["result"] == "error"
    assert "stolen-looking-secret" not in audit.path.read_text()


async def test_429_is_reported_with_when_and_never_retried(api, tmp_path, monkeypatch) -> None:
    source = pd(api, tmp_path, monkeypatch)
    audit = AuditLog.in_dir(tmp_path)
    api.fail_next = [("/incidents/PINC0001/notes", 429, {"Retry-After": "30"})]
    try:
        alert = (await alerts_of(source))["pd-PINC0001"]
        with pytest.raises(SourceRateLimited, match="429.*retry after"):
            await add_incident_note(source, alert, "looking", read_only=False, audit=audit, who="ada")
    finally:
        await source.close()
    assert len(api.writes()) == 1 and api.notes == {}
    assert audit.entries()[-1]["result"] == "error" and "Rate Limit Exceeded" in audit.entries()[-1]["error"]


async def test_a_write_without_an_answer_in_time_is_unknown_not_failed(api, tmp_path, monkeypatch) -> None:
    source = pd(api, tmp_path, monkeypatch, timeout="0.3s")
    audit = AuditLog.in_dir(tmp_path)
    api.write_delay_s = 1.0
    try:
        alert = (await alerts_of(source))["pd-PINC0001"]
        with pytest.raises(SourceTimeout):
            await update_incidents(source, [alert], "acknowledged", read_only=False, audit=audit, who="ada")
    finally:
        await source.close()
    assert len(api.writes()) == 1
    outcome = audit.entries()[-1]
    assert outcome["result"] == "unknown" and "check before trying again" in outcome["error"]
