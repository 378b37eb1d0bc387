"""The ``prometheus-slo`` source: SLO burn rates from any Prometheus-compatible API.

SLOs come from three places, merged into one list of :class:`cockpit.core.models.Slo`:

* **Sloth** and **Pyrra** recording rules, discovered (see :mod:`cockpit.sources.slo_discovery`);
* **declared** in the config: an ``error_query`` and a ``total_query`` with a ``{{window}}``
  placeholder, divided per window.

Queries are batched by window, never per SLO: one query returns a window for every Sloth SLO
(a ``__name__`` regex), one for every Pyrra SLO, and declared SLOs are joined with ``or`` after
``label_replace`` tags each with its id. The sparkline (1h burn over 24h) is one range query.
A window a generator did not record (Pyrra has no 3d) is computed from the 5m rule's expression
read from ``/api/v1/rules`` with the range swapped; when that is not possible it stays null.

prometheus-api-client is synchronous (requests), so every call runs in a worker thread
(``asyncio.to_thread``) and its errors are mapped once, in :meth:`PrometheusSloSource._call`.

Thanos, Mimir and Cortex are reached as :mod:`cockpit.sources.prom_api` describes (tenant,
path prefix, ``dedup``, ``partial_response``). Several ``urls`` are the replicas of an HA pair:
a poll's queries all go to the first replica that answers (the one that answered last is tried
first); a dead replica degrades the poll, and only when none answers does it fail.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import requests
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from urllib3.util.retry import Retry

from cockpit.core.models import FetchResult, Slo, SourceKind, utcnow
from cockpit.sources.base import Source, SourceContext
from cockpit.core.errors import (
    SourceBadResponse,
    SourceError,
    SourceTimeout,
    SourceUnreachable,
)
from cockpit.sources.peers import peer_reason
from cockpit.sources.slo_options import DeclaredSlo, PrometheusSloOptions
from cockpit.sources.prom_guard import api_error, guard_response, retry_kwargs
from cockpit.sources.slo_discovery import (
    FoundSlo,
    pyrra_budgets,
    pyrra_error_matchers,
    pyrra_objectives_from_rules,
    pyrra_slos,
    rule_exprs_5m,
    sample_value,
    sloth_slos,
    widen,
)
from cockpit.core.slo_rules import Thresholds
from cockpit.core.slo_math import (
    WINDOWS,
    budget_remaining,
    burn_rate,
    slo_status,
    time_to_exhaustion,
)

__all__ = ["DeclaredSlo", "PrometheusSloOptions", "PrometheusSloSource"]

T = TypeVar("T")
HISTORY_SPAN = timedelta(hours=24)
HISTORY_STEP = timedelta(minutes=30)
TAG = "cockpit_slo"
"""Label the source adds with ``label_replace`` to tell SLOs apart in a joined query."""
_CONCURRENCY = 4


def _quote(text: str) -> str:
    return json.dumps(text)  # a PromQL double-quoted string takes JSON escapes


def _tagged_union(parts: dict[str, str]) -> str:
    """One query answering every ``{tag: expr}``: each result carries ``cockpit_slo=tag``."""
    return " or ".join(f'label_replace(({expr}), "{TAG}", {_quote(tag)}, "", "")' for tag, expr in parts.items())


class PrometheusSloSource(Source):
    """SLOs with burn rates, budget left and status, from Prometheus, Thanos, Mimir or Cortex."""

    kind = SourceKind.SLOS
    Options = PrometheusSloOptions
    options: PrometheusSloOptions

    def __init__(self, name: str, options: PrometheusSloOptions, context: SourceContext) -> None:
        super().__init__(name, options, context)
        if not options.endpoints:
            raise ValueError("prometheus-slo needs a url")
        self._bases = options.api_bases
        self._base = self._bases[0]
        self._clients: dict[str, PrometheusConnect] = {}
        self._sessions: dict[str, requests.Session] = {}
        """Each client's requests session (ours: the rules API is read through it too)."""
        self._limit: asyncio.Semaphore | None = None

    # -- the client and its errors ------------------------------------------------------------

    def _client(self) -> PrometheusConnect:
        if self._base not in self._clients:
            opts = self.options
            session = requests.Session()
            # requests honours the proxy variables and NO_PROXY itself, but not SSL_CERT_FILE/DIR;
            # and its environment proxies would beat the session's, so a source proxy turns them off.
            session.trust_env = opts.trust_env and not opts.proxy
            if opts.proxy:
                session.proxies = {"http": opts.proxy, "https": opts.proxy}
            session.verify = False if opts.insecure_skip_verify else (
                str(Path(opts.ca_file).expanduser()) if opts.ca_file else opts.environment_ca() or True
            )
            headers = {"User-Agent": "cockpit", **opts.api_headers()}
            token = opts.resolve_token()
            if token:
                headers["Authorization"] = f"Bearer {token}"
            auth = (opts.username, opts.resolve_password() or "") if opts.username else None
            session.hooks["response"].append(guard_response)
            self._sessions[self._base] = session
            self._clients[self._base] = PrometheusConnect(
                url=self._base, headers=headers, auth=auth, session=session, timeout=opts.timeout,
                retry=Retry(total=0, raise_on_status=False),
            )
        return self._clients[self._base]

    async def _call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one client call in a thread; map requests and client errors to SourceError."""
        where = f"{self._base}/api/v1/{what}"
        if self._limit is None:
            self._limit = asyncio.Semaphore(_CONCURRENCY)
        async with self._limit:
            try:
                return await asyncio.to_thread(fn, *args, **kwargs)
            except SourceError as exc:  # raised by guard_response, already one clear line
                raise type(exc)(f"{where}: {exc.message}", **retry_kwargs(exc)) from exc
            except requests.exceptions.JSONDecodeError as exc:
                raise SourceBadResponse(f"{where}: malformed JSON") from exc
            except requests.Timeout as exc:
                raise SourceTimeout(f"{where}: no answer within {self.options.timeout:g}s") from exc
            except requests.exceptions.SSLError as exc:
                raise SourceUnreachable(f"{where}: TLS failed") from exc
            except requests.ConnectionError as exc:
                if "timed out" in str(exc).lower():  # a read timeout, as urllib3 reports it without retries
                    raise SourceTimeout(f"{where}: no answer within {self.options.timeout:g}s") from exc
                reason = "connection refused" if "refused" in str(exc).lower() else "cannot connect"
                raise SourceUnreachable(f"{where}: {reason}") from exc
            except requests.RequestException as exc:
                raise SourceUnreachable(f"{where}: {type(exc).__name__}") from exc
            except PrometheusApiClientException as exc:
                raise api_error(where, str(exc)) from exc
            except (ValueError, KeyError, TypeError) as exc:
                raise SourceBadResponse(f"{where}: malformed answer ({type(exc).__name__})") from exc

    def _at(self) -> datetime:
        return self.options.evaluation_time or utcnow()

    async def _query(self, expr: str) -> list[dict]:
        params = {**self.options.api_params(), "time": f"{self._at().timestamp():.3f}"}
        result = await self._call("query", self._client().custom_query, expr, params=params)
        if not isinstance(result, list):
            raise SourceBadResponse(f"{self._base}/api/v1/query: expected an instant vector")
        return result

    async def _rules(self) -> dict:
        def get() -> dict:
            client = self._client()
            response = self._sessions[self._base].get(
                f"{self._base}/api/v1/rules", headers=client.headers, auth=client.auth, timeout=self.options.timeout,
                params=self.options.api_params(),
            )
            if response.status_code != 200:
                raise PrometheusApiClientException(f"HTTP Status Code {response.status_code} ({response.content[:300]!r})")
            return response.json()

        return await self._call("rules", get)

    async def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        self._sessions.clear()

    # -- the poll ------------------------------------------------------------------------------

    async def fetch(self) -> FetchResult:
        """Poll the replica that answered last, else the next one; fail only when none answers."""
        order = [self._base] + [b for b in self._bases if b != self._base]
        dead: list[str] = []
        for base in order:
            self._base = base
            try:
                result = await self._poll()
            except (SourceUnreachable, SourceTimeout) as exc:
                dead.append(f"peer {base}: {peer_reason(exc, base)}")
                if len(dead) == len(order):
                    if len(dead) > 1:
                        exc.message = f"all {len(dead)} peers failed: " + "; ".join(dead)
                        exc.args = (exc.message,)
                    raise
                continue
            if dead:
                result.degraded = "; ".join(dead + ([result.degraded] if result.degraded else []))
            if len(order) > 1:
                result.info = {**result.info, "peers": f"querying {base}"}
            return result
        raise SourceError("no Prometheus url configured")

    async def _poll(self) -> FetchResult:
        opts = self.options
        self._limit = asyncio.Semaphore(_CONCURRENCY)  # bound to this poll's event loop
        found: dict[tuple[str, str], FoundSlo] = {}
        if opts.discover_sloth:
            found.update({("sloth", k): v for k, v in (await self._sloth()).items()})
        if opts.discover_pyrra:
            found.update({("pyrra", k): v for k, v in (await self._pyrra()).items()})
        degraded = None
        if any(len(slo.ratios) < len(WINDOWS) or slo.objective is None or slo.budget_remaining is None
               for key, slo in found.items() if key[0] == "pyrra" or len(slo.ratios) < len(WINDOWS)):
            try:
                await self._fill_from_rules(found)
            except SourceError as exc:  # rules API absent (some Cortex setups): keep nulls
                degraded = f"missing windows not computed: {exc.message}"
        declared = {("config", d.id): d for d in opts.slos}
        for key, decl in declared.items():
            found[key] = FoundSlo("config", decl.id, decl.service, decl.name, decl.objective, decl.period)
        if declared:
            await self._declared(found, list(declared.values()))
        history = await self._history(found) if opts.history and found else {}
        items = [self._to_slo(slo, history.get(key, [])) for key, slo in found.items() if slo.objective]
        items.sort(key=lambda s: (s.service, s.name))
        return FetchResult(items=items, degraded=degraded)

    async def _sloth(self) -> dict[str, FoundSlo]:
        windows = "|".join(WINDOWS)
        info, objectives, ratios, remaining, days = await asyncio.gather(
            self._query("sloth_slo_info"),
            self._query("slo:objective:ratio"),
            self._query(f'{{__name__=~"slo:sli_error:ratio_rate({windows})"}}'),
            self._query("slo:period_error_budget_remaining:ratio"),
            self._query("slo:time_period:days"),
        )
        return sloth_slos(info, objectives, ratios, remaining, days)

    async def _pyrra(self) -> dict[str, FoundSlo]:
        windows = "|".join(WINDOWS)
        objectives, periods, availability, burnrates = await asyncio.gather(
            self._query('pyrra_objective{slo!=""}'),
            self._query('pyrra_window{slo!=""}'),
            self._query('pyrra_availability{slo!=""}'),
            self._query(f'{{__name__=~".+:burnrate({windows})",slo!=""}}'),
        )
        return pyrra_slos(objectives, periods, availability, burnrates)

    async def _fill_from_rules(self, found: dict[tuple[str, str], FoundSlo]) -> None:
        """Objectives Pyrra only states in its alerts, and windows no rule records."""
        doc = await self._rules()
        for name, objective in pyrra_objectives_from_rules(doc).items():
            slo = found.get(("pyrra", name))
            if slo and slo.objective is None:
                slo.objective = objective  # the budget stays unknown without pyrra_availability
        exprs = rule_exprs_5m(doc)
        await self._pyrra_budgets(found, exprs)
        per_window: dict[str, dict[str, str]] = {}
        for key, slo in found.items():
            expr = exprs.get(key)
            for window in WINDOWS:
                if window not in slo.ratios and expr and (wide := widen(expr, window)):
                    per_window.setdefault(window, {})[f"{key[0]}:{key[1]}"] = wide
        await self._union_by_window(per_window, lambda tag: found.get(tuple(tag.split(":", 1))))

    async def _pyrra_budgets(self, found: dict[tuple[str, str], FoundSlo], exprs: dict[tuple[str, str], str]) -> None:
        """Budget left of Pyrra SLOs without generic rules: from ``<metric>:increase<W>`` as Pyrra's UI
        computes it, else from the 5m rule widened to the SLO's period."""
        need = {key[1]: slo for key, slo in found.items()
                if key[0] == "pyrra" and slo.budget_remaining is None and slo.objective}
        matchers = {name: m for name in need if (m := pyrra_error_matchers(exprs.get(("pyrra", name), "")))}
        if matchers:
            increases = await self._query('{__name__=~".+:increase[0-9]+[smhdwy]",slo!=""}')
            objectives = {name: slo.objective for name, slo in need.items() if slo.objective}
            for name, (budget, period) in pyrra_budgets(increases, matchers, objectives).items():
                need[name].budget_remaining, need[name].period = budget, period
        per_period: dict[str, dict[str, str]] = {}
        for name, slo in need.items():
            wide = widen(exprs.get(("pyrra", name), ""), slo.period)
            if slo.budget_remaining is None and wide:
                per_period.setdefault(slo.period, {})[name] = wide
        results = await asyncio.gather(*(self._query(_tagged_union(parts)) for parts in per_period.values()))
        for result in results:
            for sample in result:
                slo = need.get(sample.get("metric", {}).get(TAG, ""))
                if slo is not None and slo.objective:
                    slo.budget_remaining = budget_remaining(sample_value(sample), slo.objective)

    async def _union_by_window(self, per_window: dict[str, dict[str, str]], lookup: Callable[[str], FoundSlo | None]) -> None:
        windows = list(per_window)
        results = await asyncio.gather(*(self._query(_tagged_union(per_window[w])) for w in windows))
        for window, result in zip(windows, results):
            for sample in result:
                slo = lookup(sample.get("metric", {}).get(TAG, ""))
                if slo is not None:
                    slo.ratios[window] = sample_value(sample)

    async def _declared(self, found: dict[tuple[str, str], FoundSlo], declared: list[DeclaredSlo]) -> None:
        """One query per window (and one per distinct period) for all declared SLOs."""
        per_window = {w: {d.id: d.ratio_query(w) for d in declared} for w in WINDOWS}
        await self._union_by_window(per_window, lambda tag: found.get(("config", tag)))
        periods = sorted({d.period for d in declared})
        results = await asyncio.gather(
            *(self._query(_tagged_union({d.id: d.ratio_query(p) for d in declared if d.period == p})) for p in periods)
        )
        for result in results:
            for sample in result:
                slo = found.get(("config", sample.get("metric", {}).get(TAG, "")))
                if slo is not None and slo.objective:
                    slo.budget_remaining = budget_remaining(sample_value(sample), slo.objective)

    async def _history(self, found: dict[tuple[str, str], FoundSlo]) -> dict[tuple[str, str], list[float | None]]:
        """Error ratio over 1h for every SLO over the last 24h, in one range query."""
        parts = []
        if any(k[0] == "sloth" for k in found):
            parts.append('label_replace(slo:sli_error:ratio_rate1h, "%s", "sloth:$1", "sloth_id", "(.+)")' % TAG)
        if any(k[0] == "pyrra" for k in found):
            parts.append('label_replace(max by (slo) ({__name__=~".+:burnrate1h",slo!=""}), "%s", "pyrra:$1", "slo", "(.+)")' % TAG)
        declared = {f"config:{d.id}": d.ratio_query("1h") for d in self.options.slos}
        if declared:
            parts.append(_tagged_union(declared))
        if not parts:
            return {}
        end = self._at()
        start = end - HISTORY_SPAN
        result = await self._call(
            "query_range",
            self._client().custom_query_range,
            " or ".join(f"({p})" for p in parts),
            start_time=start,
            end_time=end,
            step=str(int(HISTORY_STEP.total_seconds())),
            params=self.options.api_params() or None,
        )
        steps = int(HISTORY_SPAN / HISTORY_STEP) + 1
        t0 = start.timestamp()
        out: dict[tuple[str, str], list[float | None]] = {}
        for series in result:
            tag = series.get("metric", {}).get(TAG, "")
            key = tuple(tag.split(":", 1))
            slo = found.get(key)  # type: ignore[arg-type]
            if slo is None or not slo.objective:
                continue
            points: list[float | None] = [None] * steps
            for stamp, value in series.get("values", []):
                index = round((float(stamp) - t0) / HISTORY_STEP.total_seconds())
                if 0 <= index < steps:
                    points[index] = burn_rate(sample_value({"value": [stamp, value]}), slo.objective)
            out[key] = points  # type: ignore[index]
        return out

    def _to_slo(self, found: FoundSlo, history: list[float | None]) -> Slo:
        objective = found.objective or 0.0
        burns = {w: burn_rate(found.ratios.get(w), objective) for w in WINDOWS}
        return Slo(
            source=self.name,
            id=found.id,
            service=found.service,
            name=found.name,
            objective=objective,
            period=found.period,
            burn_rates=burns,
            error_budget_remaining=found.budget_remaining,
            status=slo_status(burns, self.options.thresholds),
            generator=found.generator,  # type: ignore[arg-type]
            time_to_exhaustion_s=time_to_exhaustion(found.budget_remaining, burns["1h"], found.period),
            burn_history=history,
            thresholds=None if self.options.thresholds == Thresholds() else self.options.thresholds,
        )
