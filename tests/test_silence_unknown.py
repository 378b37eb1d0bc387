"""The TUI after a silence POST whose answer never came: "unknown", looked for, a retry offered
only when the silence was not found (and sent again only after a yes)."""

from __future__ import annotations

from cockpit.core.errors import SourceTimeout
from cockpit.engine.audit import AuditLog
from cockpit.ui.screens.silence import ConfirmScreen
from tests.test_silence_flow import (
    SIZE,
    FakeSilenceSource,
    WritableEngine,
    make_app,
    settle,
    silence_selected_alert,
    toasts,
)


async def test_a_timed_out_silence_is_unknown_and_a_retry_is_offered_not_sent(tmp_path):
    source = FakeSilenceSource("am-prod", tmp_path, fail=SourceTimeout("http://127.0.0.1:9093/api/v2/silences: no answer within 5s"))
    engine = WritableEngine(source, tmp_path)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await silence_selected_alert(pilot, app)
        assert not any(t.startswith("Silence not created") for t in toasts(app)), toasts(app)
        unknown = [t for t in toasts(app) if t.startswith("Silence outcome unknown")]
        assert unknown and "check before sending it again" in unknown[0]
        assert "check the silences before you retry" in str(app.screen.query_one("#confirm-body").content)
        assert isinstance(app.screen, ConfirmScreen) and "Send again" in str(app.screen.query_one("#confirm-yes").label)
        await pilot.click("#confirm-no")
        await settle(pilot, app)
    assert len(source.created) == 1, "a write whose outcome is unknown was sent again without a yes"
    assert [e["result"] for e in AuditLog.in_dir(tmp_path).entries()] == ["sending", "unknown"]
