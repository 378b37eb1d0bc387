"""Runbook search: index 10,000 generated runbooks, then query, against ``grep -ril``.

Everything runs in one process on one machine, in one temporary directory: the runbooks are
generated (deterministic seed), indexed cold, re-indexed with nothing changed, then queried.
The baseline is what an engineer on a bastion would do without the cockpit: ``grep -ril WORD``
over the same files (warm page cache, same queries). Ratios are grep's time over the index's.

``python -m bench.bench_runbooks`` prints the rows as JSON lines; ``run()`` returns them.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from cockpit.runbook_index import RunbookIndex

__all__ = ["generate", "run"]

DOCS = 10_000
QUERIES = 200
GREP_QUERIES = 20
_PARTS = (
    "Kube Pod Node Disk Cert Etcd Api Cpu Memory Queue Kafka Redis Postgres Ingress Dns Tls Job Cron "
    "Replica Volume Network Latency Error Budget Burn Scrape Target Alertmanager Prometheus Loki Vault "
    "Consul Nginx Envoy Grpc Http Backup Restore Quota Throttle Leader Election Shard Index Cache"
).split()
_STATES = "High Low Failing Down Missing Degraded Full Slow Stuck Flapping Lagging Expiring Crashing".split()
_WORDS = (
    "check the logs restart pod service deployment rollout rollback node cluster namespace alert metric "
    "dashboard query latency error rate budget disk space memory cpu usage network packet loss timeout "
    "retry certificate renewal leader replica shard index compaction snapshot backup restore quota limit "
    "scale upstream downstream dependency database connection pool queue consumer lag producer partition"
).split()


def _name(rng: random.Random, n: int) -> str:
    return "".join(rng.sample(_PARTS, 2)) + rng.choice(_STATES) + f"{n:05d}"


def generate(root: Path, count: int = DOCS, seed: int = 7) -> list[str]:
    """Write ``count`` runbooks (front matter, headings, checklists) and return their alert names."""
    rng = random.Random(seed)
    vocab = _WORDS + [f"term{n}" for n in range(4000)]
    names = []
    for n in range(count):
        name = _name(rng, n)
        names.append(name)
        folder = root / rng.choice(("kubernetes", "node", "database", "network", "platform"))
        folder.mkdir(parents=True, exist_ok=True)
        paragraphs = []
        for heading in ("Meaning", "Impact", "Diagnosis", "Mitigation"):
            words = " ".join(rng.choices(vocab, k=rng.randint(60, 140)))
            checks = "\n".join(f"- [ ] {' '.join(rng.choices(vocab, k=6))}" for _ in range(rng.randint(1, 4)))
            paragraphs.append(f"## {heading}\n\n{words}\n\n{checks}\n")
        body = f"---\ntitle: {name} runbook\n---\n# {name}\n\n" + "\n".join(paragraphs)
        (folder / f"{name}.md").write_text(body, encoding="utf-8")
    return names


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _row(case: str, cockpit: float, baseline: float | None, unit: str, note: str = "") -> dict:
    return {
        "benchmark": "runbooks",
        "case": case,
        "cockpit": round(cockpit, 3),
        "baseline": None if baseline is None else round(baseline, 3),
        "unit": unit,
        "ratio": None if not baseline or not cockpit else round(baseline / cockpit, 1),
        "note": note,
    }


def run(count: int = DOCS) -> list[dict]:
    """Generate, index, query; return the rows (times in seconds or milliseconds, see ``unit``)."""
    tmp = Path(tempfile.mkdtemp(prefix="cockpit-bench-runbooks-"))
    try:
        root = tmp / "runbooks"
        names = generate(root, count)
        rng = random.Random(11)
        queries = [rng.choice(names) for _ in range(QUERIES // 2)]
        queries += [rng.choice(_WORDS) for _ in range(QUERIES // 4)]
        queries += [f"{rng.choice(_WORDS)} {rng.choice(_WORDS)}" for _ in range(QUERIES // 4)]
        grep_queries = [rng.choice(names) for _ in range(GREP_QUERIES // 2)] + rng.sample(_WORDS, GREP_QUERIES // 2)

        # grep first, so both sides read from a warm page cache
        grep = shutil.which("grep")
        grep_ms = []
        if grep:
            subprocess.run([grep, "-ril", "warmup", str(root)], capture_output=True, check=False)
            for q in grep_queries:
                t = time.perf_counter()
                subprocess.run([grep, "-ril", "--", q, str(root)], capture_output=True, check=False)
                grep_ms.append((time.perf_counter() - t) * 1000)

        index = RunbookIndex(tmp / "cache" / "runbooks.sqlite", [root])
        t = time.perf_counter()
        stats = index.update()
        index_s = time.perf_counter() - t
        t = time.perf_counter()
        index.update()
        reindex_s = time.perf_counter() - t

        query_ms, first = [], 0
        for q in queries:
            t = time.perf_counter()
            hits = index.search(q, limit=10)
            query_ms.append((time.perf_counter() - t) * 1000)
            if q in names and hits and Path(hits[0].path).stem == q:
                first += 1
        same_ms = []
        for q in grep_queries:
            t = time.perf_counter()
            index.search(q, limit=10)
            same_ms.append((time.perf_counter() - t) * 1000)
        index.close()
        db_mb = sum(p.stat().st_size for p in (tmp / "cache").iterdir()) / 1e6
        corpus_mb = sum(p.stat().st_size for p in root.rglob("*.md")) / 1e6

        grep_p50 = statistics.median(grep_ms) if grep_ms else None
        grep_p95 = _pct(grep_ms, 0.95) if grep_ms else None
        return [
            _row(f"index {stats.added:,} runbooks (cold)", index_s, None, "s", f"{corpus_mb:.1f} MB of Markdown, index {db_mb:.1f} MB"
                 + (f"; costs as much as {index_s * 1000 / grep_p50:.0f} grep -ril runs" if grep_p50 else "")),
            _row("re-index, nothing changed", reindex_s, None, "s", "stat() of every file"),
            _row("query p50 (mixed)", statistics.median(query_ms), None, "ms", f"{len(queries)} queries: alert names, words, word pairs"),
            _row("query p95 (mixed)", _pct(query_ms, 0.95), None, "ms", ""),
            _row("query p50 vs grep -ril", statistics.median(same_ms), grep_p50, "ms", f"same {len(grep_queries)} queries; grep finds, does not rank"),
            _row("query p95 vs grep -ril", _pct(same_ms, 0.95), grep_p95, "ms", ""),
            _row("alert name ranks its runbook first", 100.0 * first / (QUERIES // 2), None, "%", "hit@1"),
        ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    for row in run():
        print(json.dumps(row))
