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

from bench.rows import fmt_ms, guarded, row
from cockpit.engine.runbooks.index import RunbookIndex

__all__ = ["generate", "measure", "run"]

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


def measure(count: int = DOCS) -> list[dict]:
    """Generate, index, query; return the rows (raises when something breaks)."""
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

        grep_p50 = statistics.median(grep_ms) / 1000 if grep_ms else None
        grep_p95 = _pct(grep_ms, 0.95) / 1000 if grep_ms else None
        p50, p95 = statistics.median(same_ms) / 1000, _pct(same_ms, 0.95) / 1000
        mixed_p50, mixed_p95 = statistics.median(query_ms) / 1000, _pct(query_ms, 0.95) / 1000
        hit_rate = first / (QUERIES // 2)
        costs = f"; as long as {index_s / grep_p50:.0f} grep -ril runs" if grep_p50 else ""
        return [
            row(f"runbooks: index {stats.added:,} files (cold)", f"{index_s:.2f} s", target="< 60 s", met=index_s < 60,
                note=f"{corpus_mb:.1f} MB of Markdown, index {db_mb:.1f} MB{costs}"),
            row("runbooks: re-index, nothing changed", fmt_ms(reindex_s), target="< 2 s", met=reindex_s < 2,
                note="one stat() per file, no file read"),
            row("runbooks: query p50 (mixed)", fmt_ms(mixed_p50), target="< 20 ms", met=mixed_p50 < 0.02,
                note=f"{len(queries)} queries: alert names, words, word pairs; top 10 with snippets"),
            row("runbooks: query p95 (mixed)", fmt_ms(mixed_p95), target="< 50 ms", met=mixed_p95 < 0.05),
            row("runbooks: query p50 vs grep -ril", fmt_ms(p50), fmt_ms(grep_p50), p50 / grep_p50 if grep_p50 else None,
                target="faster than grep", met=(p50 < grep_p50) if grep_p50 else None,
                note=f"same {len(grep_queries)} one-word queries, warm page cache; grep finds, does not rank"),
            row("runbooks: query p95 vs grep -ril", fmt_ms(p95), fmt_ms(grep_p95), p95 / grep_p95 if grep_p95 else None,
                target="faster than grep", met=(p95 < grep_p95) if grep_p95 else None),
            row("runbooks: alert name ranks its runbook first", f"{hit_rate:.0%}", target="100%", met=hit_rate == 1.0,
                note=f"{QUERIES // 2} alert names, hit@1"),
        ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


_NAMES = [
    ("runbooks: index 10,000 files (cold)", "< 60 s"),
    ("runbooks: query p95 vs grep -ril", "faster than grep"),
    ("runbooks: alert name ranks its runbook first", "100%"),
]


def run() -> list[dict]:
    """The benchmark's rows; a failure becomes "not measured" rows naming the error."""
    return guarded(_NAMES, measure)


if __name__ == "__main__":
    for result in run():
        print(json.dumps(result))
