"""``python -m bench`` (``make bench``): run every benchmark module and write BENCHMARKS.md.

Each module ``bench/bench_*.py`` exposes ``run() -> list[dict]`` returning rows
``{name, value, baseline, ratio, target, met, note}`` (see :mod:`bench.rows`). A module that
fails to import or run adds a "not measured" row with the reason; nothing is hidden.

Options: ``--only WORD`` runs the modules whose name contains WORD; ``--output FILE`` writes
elsewhere than ``BENCHMARKS.md`` in the current directory.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.rows import not_measured

__all__ = ["machine", "main", "render"]

ORDER = ("bench_tui", "bench_scale", "bench_runbooks")
"""Modules run first, in this order; any other ``bench_*.py`` runs after them."""


def modules() -> list[str]:
    found = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    return [m for m in ORDER if m in found] + [m for m in found if m not in ORDER]


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, OS, Python and Textual versions of this machine."""
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    mem = re.search(r"MemTotal:\s+(\d+) kB", _read("/proc/meminfo"))
    os_name = re.search(r'PRETTY_NAME="([^"]+)"', _read("/etc/os-release"))
    try:
        from importlib.metadata import version

        textual = version("textual")
    except Exception:  # noqa: BLE001
        textual = "?"
    return {
        "CPU": f"{cpu} ({platform.machine()})",
        "Cores": str(os.cpu_count()),
        "RAM": f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB" if mem else "?",
        "OS": f"{os_name.group(1) if os_name else platform.system()} (kernel {platform.release()})",
        "Python": platform.python_version(),
        "Textual": textual,
        "Load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render(rows: list[dict], info: dict[str, str], started: datetime, seconds: float) -> str:
    met = sum(1 for r in rows if r["met"] is True)
    missed = sum(1 for r in rows if r["met"] is False)
    unmeasured = sum(1 for r in rows if r["value"] == "not measured")
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`python -m bench`) on {started:%Y-%m-%d %H:%M} UTC in {seconds:.0f} s. Every ratio is "
        "this app against a baseline measured in the same run on the same machine; TUI figures are taken in a "
        "120x40 pseudo-terminal read by a terminal emulator (pyte), every server on loopback.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in info.items()],
        "",
        "## Figures",
        "",
        f"{met} targets met, {missed} missed, {unmeasured} not measured. Where a target is missed the gap and its "
        "cause are written in the note.",
        "",
        "| Benchmark | Value | Baseline | Ratio | Target | Met | Note |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        met_text = {True: "yes", False: "**no**", None: "-"}[r["met"]]
        lines.append("| " + " | ".join(_cell(x) for x in (r["name"], r["value"], r["baseline"], ratio, r["target"], met_text, r["note"])) + " |")
    lines += [
        "",
        "## How to read this",
        "",
        "- Latency: from the key's bytes written to the pty until the emulated screen shows the result and the "
        "output has been quiet for 80 ms (the time of the last byte of that repaint).",
        "- Bytes: everything the program wrote to the terminal, counted at the pty, escape sequences included.",
        "- Noise: the machine may be shared; medians are reported and the spread is in the notes.",
        "",
    ]
    reasons = [r["why_target"] for r in rows if r.get("why_target")]
    if reasons:
        lines += ["## Why these targets", ""] + [f"- {why}" for why in dict.fromkeys(reasons)] + [""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run the benchmarks and write BENCHMARKS.md.")
    parser.add_argument("--only", action="append", default=[], metavar="WORD", help="run only modules containing WORD")
    parser.add_argument("--output", default="BENCHMARKS.md", help="where to write the report")
    args = parser.parse_args(argv)
    started, clock = datetime.now(timezone.utc), time.monotonic()
    info = machine()
    rows: list[dict] = []
    for name in modules():
        if args.only and not any(word in name for word in args.only):
            continue
        print(f"bench: running {name} ...", file=sys.stderr, flush=True)
        begin = time.monotonic()
        try:
            module = importlib.import_module(f"bench.{name}")
            got = list(module.run())
        except Exception as exc:  # noqa: BLE001 - report it as a row, run the rest
            got = [not_measured(name, "", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")]
        for r in got:
            print(f"  {r['name']}: {r['value']} (baseline {r['baseline'] or '-'}; met: {r['met']})", file=sys.stderr)
        print(f"bench: {name} took {time.monotonic() - begin:.0f} s", file=sys.stderr, flush=True)
        rows += got
    Path(args.output).write_text(render(rows, info, started, time.monotonic() - clock))
    print(f"bench: wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
