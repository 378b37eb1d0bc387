"""The embedded demo: a small, believable incident that plays out over a 20-minute cycle.

No network. Every value is derived from the clock, so two polls a few minutes apart differ the
way a real shift does: checkout's error rate fires after a deploy and burns its SLO fast, gets
silenced, then resolves; latency alerts go pending then firing; pipelines fail and rerun.
Its runbooks are real Markdown files (``sources/demo_runbooks``) served by a ``runbooks``
source that ``--demo`` configures beside it. It goes through the same poller, cache and models
as every real source, and it supports
silences (kept in memory) so the silence flow can be tried without an Alertmanager.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from cockpit.core.models import (
    Alert, AlertState, Deploy, FailedJob, FetchResult, Pipeline, RunbookRef, RunStatus, Slo,
    SloStatus, SourceKind,
)
from cockpit.sources.base import SilenceInfo, SilenceRequest, Source, SourceOptions, SupportsSilences
from cockpit.core.matchers import Matcher

__all__ = ["DemoSource"]

CYCLE_S = 20 * 60
RUNBOOK_BASE = "https://runbooks.demo.invalid/"

_FAILED_JOBS = {  # where the demo's failed runs failed, as GitHub, GitLab and Jenkins say it
    "shop/checkout ci": (FailedJob(name="test (ubuntu-latest, 3.12)", step="Run tests", step_number=4,
                                   url="https://ci.demo.invalid/shop/checkout/jobs/4"),),
    "shop/orders deploy-staging": (FailedJob(name="migrate", stage="deploy", reason="script_failure"),),
    "shop/search nightly-e2e": (FailedJob(name="E2E", kind="stage", step="Shell Script",
                                          reason="script returned exit code 2"),),
    "orders staging": (FailedJob(name="migrate", stage="deploy", reason="script_failure"),),
}

# name, severity, labels, summary, (fires_at, resolves_at) in seconds within the cycle, pending_s
_ALERTS = [
    ("HighErrorRate", "critical", {"service": "checkout", "namespace": "shop", "team": "payments"},
     "checkout: 7.2% of requests fail (5xx) for 5 minutes", (60, 1020), 30),
    ("HighLatency", "warning", {"service": "payments", "namespace": "shop", "team": "payments"},
     "payments: p99 latency 2.4s above the 800ms objective", (240, 1140), 90),
    ("KubePodCrashLooping", "critical", {"service": "orders", "namespace": "shop", "pod": "orders-7d9f8-xk2lp", "container": "orders"},
     "Pod shop/orders-7d9f8-xk2lp (orders) is restarting 4 times / 10 minutes", (0, CYCLE_S), 0),
    ("DiskWillFillIn4Hours", "warning", {"service": "node", "instance": "db-2:9100", "mountpoint": "/var/lib/postgresql"},
     "Filesystem /var/lib/postgresql on db-2 is predicted to fill in 3h40m", (0, CYCLE_S), 0),
    ("CertificateExpiringSoon", "info", {"service": "edge", "namespace": "ingress", "host": "shop.demo.invalid"},
     "TLS certificate for shop.demo.invalid expires in 9 days", (0, CYCLE_S), 0),
    ("DeploymentReplicasMismatch", "warning", {"service": "search", "namespace": "shop", "deployment": "search"},
     "Deployment shop/search has 2 of 3 replicas available", (420, 780), 60),
]
_SILENCED_FROM = 600  # seconds into the cycle: the on-call engineer silences HighErrorRate


class DemoSource(Source, SupportsSilences):
    """Alerts, SLOs, deploys, pipelines and runbooks of a made-up shop, alive over time."""

    kind = SourceKind.ALERTS
    provides = (SourceKind.SLOS, SourceKind.DEPLOYS, SourceKind.PIPELINES)

    class Options(SourceOptions):
        """The demo has no options beyond the poll interval."""

        interval: float = 5.0
        """How often to poll, as a duration string."""

    def __init__(self, *args, clock: Callable[[], float] = time.time, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.clock = clock
        self._silences: dict[str, SilenceInfo] = {}
        self._expired_scripted: set[datetime] = set()

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), timezone.utc).replace(microsecond=0)

    async def fetch(self) -> FetchResult:
        now = self._now()
        cycle_start = now - timedelta(seconds=int(now.timestamp()) % CYCLE_S)
        t = (now - cycle_start).total_seconds()
        items: list = []
        items += self._alerts(now, cycle_start, t)
        items += self._slos(t)
        items += self._deploys(cycle_start)
        items += self._pipelines(now, cycle_start, t)
        return FetchResult(items=items, info={"on call": "Dana Whitfield (shop-primary)"})

    # -- alerts --------------------------------------------------------------------------------

    def _alerts(self, now: datetime, cycle_start: datetime, t: float) -> list[Alert]:
        alerts = []
        for name, severity, labels, summary, (fires, resolves), pending_s in _ALERTS:
            if not fires <= t < resolves:
                continue
            all_labels = {"alertname": name, "severity": severity, "environment": "production", **labels}
            state = AlertState.PENDING if t < fires + pending_s else AlertState.FIRING
            silences = list(self._silences.values()) + self._scripted(cycle_start, t)
            silenced_by = [s.id for s in silences if _silence_matches(s, all_labels, now)]
            if silenced_by and state is AlertState.FIRING:
                state = AlertState.SILENCED
            started = cycle_start + timedelta(seconds=fires) if fires else cycle_start - timedelta(hours=3)
            alerts.append(Alert(
                source=self.name,
                fingerprint=hashlib.sha256(repr(sorted(all_labels.items())).encode()).hexdigest()[:16],
                name=name, severity=severity, state=state, starts_at=started, labels=all_labels,
                annotations={"summary": summary, "runbook_url": RUNBOOK_BASE + name,
                             "description": f"{summary}. Demo data: nothing real is affected."},
                summary=summary, generator_url=f"https://prometheus.demo.invalid/graph?g0.expr={name}",
                runbook=RunbookRef(url=RUNBOOK_BASE + name),
                silenced_by=silenced_by, peers=["demo://am-1", "demo://am-2"],
            ))
        return alerts

    # -- SLOs ------------------------------------------------------------------------------------

    def _slos(self, t: float) -> list[Slo]:
        incident = 60 <= t < 1020
        ramp = min(1.0, max(0.0, (t - 60) / 300)) if incident else 0.0
        specs = [
            # service, name, objective, base burn, incident burn, budget left before the incident
            ("checkout", "requests-availability", 0.999, 0.6, 19.0, 0.71),
            # orders crash-loops all cycle long: its SLO burns fast the whole time
            ("orders", "requests-availability", 0.995, 15.5, 15.5, 0.22),
            ("payments", "requests-latency", 0.99, 0.9, 4.2, 0.38),
            ("search", "requests-availability", 0.995, 0.3, 0.5, 0.92),
            ("login", "requests-availability", 0.9995, 0.2, 0.2, 0.97),
        ]
        slos = []
        for service, name, objective, base, peak, budget in specs:
            now_burn = base + (peak - base) * ramp
            burn = {"5m": now_burn, "30m": base + (peak - base) * ramp * 0.9, "1h": base + (peak - base) * ramp * 0.8,
                    "2h": base + (peak - base) * ramp * 0.5, "6h": base + (peak - base) * ramp * 0.25,
                    "1d": base + (peak - base) * ramp * 0.08, "3d": base + (peak - base) * ramp * 0.03}
            burn = {k: round(v, 3) for k, v in burn.items()}
            left = round(budget - ramp * (peak - base) * 0.004, 4)
            status = _burn_status(burn)
            hourly = burn["1h"]
            exhaustion = left * 30 * 86400 / hourly if hourly > 1 and left > 0 else None
            history = [round(base * (1 + 0.15 * ((i * 7) % 5) / 5), 3) for i in range(44)] + [burn["1h"]] * 4
            slos.append(Slo(
                source=self.name, id=f"{service}-{name}", service=service, name=name, objective=objective,
                period="30d", burn_rates=burn, error_budget_remaining=left, status=status,
                generator="demo", time_to_exhaustion_s=exhaustion, burn_history=history,
            ))
        return slos

    # -- deploys and pipelines ---------------------------------------------------------------

    def _deploys(self, cycle_start: datetime) -> list[Deploy]:
        rows = [
            # service, env, version, minutes relative to the cycle start, duration, status, author
            ("checkout", "production", "v2.14.0", -2, 3, RunStatus.SUCCEEDED, "mkowalski", "Rework cart total rounding"),
            ("search", "production", "9f3c2e1", -40, 4, RunStatus.SUCCEEDED, "ana.souza", "Bump index shard count"),
            ("payments", "production", "v5.2.1", -95, 6, RunStatus.SUCCEEDED, "jlee", "Retry card network timeouts"),
            ("orders", "staging", "a41d9b0", -15, 2, RunStatus.FAILED, "tbrennan", "Migrate orders table to v7"),
            ("checkout", "staging", "v2.14.0", -70, 3, RunStatus.SUCCEEDED, "mkowalski", "Rework cart total rounding"),
            ("edge", "production", "v1.9.3", -300, 5, RunStatus.SUCCEEDED, "priya", "Rotate TLS ciphers"),
        ]
        deploys = []
        for service, env, version, minutes, duration, status, author, message in rows:
            started = cycle_start + timedelta(minutes=minutes)
            deploys.append(Deploy(
                source=self.name, id=f"{service}-{env}-{version}", service=service, environment=env,
                version=version, status=status, started_at=started,
                finished_at=started + timedelta(minutes=duration), author=author,
                url=f"https://ci.demo.invalid/deploys/{service}/{version}", description=message,
                failed_jobs=list(_FAILED_JOBS.get(f"{service} {env}", ())) if status == RunStatus.FAILED else [],
            ))
        return deploys

    def _pipelines(self, now: datetime, cycle_start: datetime, t: float) -> list[Pipeline]:
        rows = [
            ("shop/checkout", "ci", "main", "c0ffee1", RunStatus.FAILED, -8, 312.0, "mkowalski", "Fix flaky cart test"),
            ("shop/orders", "deploy-staging", "main", "a41d9b0", RunStatus.FAILED, -16, 95.0, "tbrennan", "Migrate orders table to v7"),
            ("shop/search", "nightly-e2e", "main", "9f3c2e1", RunStatus.FAILED, -180, 1440.0, "ana.souza", "Bump index shard count"),
            ("shop/payments", "ci", "main", "5e6f7a8", RunStatus.SUCCEEDED, -30, 260.0, "jlee", "Retry card network timeouts"),
        ]
        pipelines = []
        for repo, name, branch, sha, status, minutes, duration, author, message in rows:
            started = cycle_start + timedelta(minutes=minutes)
            pipelines.append(Pipeline(
                source=self.name, id=f"{repo}-{name}-{sha}", repo=repo, name=name, branch=branch,
                commit=sha, status=status, started_at=started, duration_s=duration, author=author,
                url=f"https://ci.demo.invalid/{repo}/{sha}", message=message,
                failed_jobs=list(_FAILED_JOBS.get(f"{repo} {name}", ())),
            ))
        # A rerun of checkout's CI starts a few minutes into every cycle and runs for 6 minutes.
        if t >= 180:
            running = t < 540
            started = cycle_start + timedelta(seconds=180)
            pipelines.append(Pipeline(
                source=self.name, id="shop/checkout-ci-rerun", repo="shop/checkout", name="ci", branch="main",
                commit="c0ffee2", status=RunStatus.RUNNING if running else RunStatus.FAILED,
                started_at=started, duration_s=None if running else 360.0, author="mkowalski",
                url="https://ci.demo.invalid/shop/checkout/c0ffee2", message="Revert cart total rounding",
            ))
        return pipelines

    # -- silences (in memory) -------------------------------------------------------------------

    async def create_silence(self, request: SilenceRequest) -> str:
        silence_id = str(uuid.uuid4())
        self._silences[silence_id] = SilenceInfo(
            id=silence_id, matchers=request.matchers, starts_at=request.starts_at, ends_at=request.ends_at,
            created_by=request.created_by, comment=request.comment,
        )
        return silence_id

    def _scripted(self, cycle_start: datetime, t: float) -> list[SilenceInfo]:
        """The silence the on-call engineer of the story makes on HighErrorRate mid-cycle: a
        real one, listed like any other (the alert used to point at an id no list knew)."""
        if t < _SILENCED_FROM or cycle_start in self._expired_scripted:
            return []
        return [SilenceInfo(
            id=f"demo-silence-checkout-{int(cycle_start.timestamp())}",
            matchers=[{"name": "alertname", "value": "HighErrorRate", "isRegex": False, "isEqual": True},
                      {"name": "service", "value": "checkout", "isRegex": False, "isEqual": True}],
            starts_at=cycle_start + timedelta(seconds=_SILENCED_FROM),
            ends_at=cycle_start + timedelta(seconds=CYCLE_S),
            created_by="dana.whitfield",
            comment="Rolling back checkout v2.14.0; errors expected until the rollback completes",
        )]

    async def list_silences(self) -> list[SilenceInfo]:
        now = self._now()
        cycle_start = now - timedelta(seconds=int(now.timestamp()) % CYCLE_S)
        scripted = self._scripted(cycle_start, (now - cycle_start).total_seconds())
        active = [s for s in list(self._silences.values()) + scripted
                  if s.state == "active" and (s.ends_at is None or s.ends_at > now)]
        return sorted(active, key=lambda s: s.starts_at or now, reverse=True)

    async def expire_silence(self, silence_id: str) -> None:
        if silence_id in self._silences:
            self._silences[silence_id].state = "expired"
        elif silence_id.startswith("demo-silence-checkout-"):
            start = silence_id.rsplit("-", 1)[1]
            if start.isdigit():
                self._expired_scripted.add(datetime.fromtimestamp(int(start), timezone.utc))


def _silence_matches(silence: SilenceInfo, labels: dict[str, str], now: datetime) -> bool:
    if silence.state != "active" or (silence.ends_at and silence.ends_at <= now):
        return False
    return all(Matcher.from_api(m).matches(labels) for m in silence.matchers)


def _burn_status(burn: dict[str, float]) -> SloStatus:
    if (burn["1h"] > 14.4 and burn["5m"] > 14.4) or (burn["6h"] > 6 and burn["30m"] > 6):
        return SloStatus.PAGE
    if (burn["1d"] > 3 and burn["2h"] > 3) or (burn["3d"] > 1 and burn["6h"] > 1):
        return SloStatus.TICKET
    return SloStatus.OK
