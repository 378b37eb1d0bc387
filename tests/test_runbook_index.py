"""The runbook parser, the full-text index, URL resolution and the runbooks source."""

from __future__ import annotations

import glob
import os
from pathlib import Path

import pytest

from cockpit.engine.runbooks.doc import load_runbook, parse_runbook
from cockpit.engine.runbooks import index_opener
from cockpit.engine.runbooks.index import RunbookIndex, build_match_query
from cockpit.sources.base import SourceContext
from cockpit.core.errors import SourceError
from cockpit.sources.runbooks import DEMO_RUNBOOKS_DIR, RunbooksOptions, RunbooksSource
from tests.loopback import Answer, Loopback

REAL = Path(__file__).resolve().parents[2] / "shared" / "realworld"
REAL_RUNBOOKS = REAL / "runbooks" / "prometheus-operator"
REAL_RULES = REAL / "rules" / "kube-prometheus"
PREFIX = "https://runbooks.prometheus-operator.dev/runbooks/"


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "runbooks"
    write(root, "kubernetes/KubePodCrashLooping.md", "---\ntitle: Pod crash looping\nweight: 3\n---\n# KubePodCrashLooping\n\n## Diagnosis\n\nRead the logs of the previous container.\n")
    write(root, "kubernetes/KubePodNotReady.md", "# KubePodNotReady\n\nA pod is not ready. Unlike KubePodCrashLooping this one is about readiness.\nKubePodCrashLooping KubePodCrashLooping\n")
    write(root, "node/NodeDiskFull.md", "Disk is full on the node. Remove old images.\n")
    write(root, "node/.hidden/Secret.md", "# Secret\nnever indexed\n")
    write(root, "notes.txt", "not markdown: crash looping")
    return root


@pytest.fixture
def index(tmp_path: Path, corpus: Path):
    idx = RunbookIndex(tmp_path / "cache" / "runbooks.sqlite", [corpus], [PREFIX])
    idx.update()
    yield idx
    idx.close()


# -- parsing ---------------------------------------------------------------------------------


def test_title_comes_from_front_matter_then_first_heading_then_stem():
    assert parse_runbook("---\ntitle: 'Disk full'\n---\n# Other\n", "stem").title == "Disk full"
    assert parse_runbook("intro\n\n## First heading\ntext\n", "stem").title == "First heading"
    assert parse_runbook("just prose\n", "MyStem").title == "MyStem"
    # an unclosed front matter block is ordinary text, not swallowed
    assert parse_runbook("---\ntitle: x\n# Heading\n", "s").title == "Heading"


def test_sections_and_checklist_skip_code_blocks():
    text = (
        "# Title\n\n## Diagnosis\n- [ ] look at logs\n- [x] done already\n\n```bash\n# not a heading\n- [ ] not an item\n```\n"
        "Mitigation\n----------\n\n* [ ] roll back\n"
    )
    doc = parse_runbook(text, "t")
    assert [(s.level, s.title) for s in doc.toc] == [(1, "Title"), (2, "Diagnosis"), (2, "Mitigation")]
    assert [(c.text, c.checked) for c in doc.checklist] == [("look at logs", False), ("done already", True), ("roll back", False)]
    assert [doc.sections[c.section].title for c in doc.checklist] == ["Diagnosis", "Diagnosis", "Mitigation"]
    assert "# not a heading" in doc.sections[1].body


def test_every_demo_runbook_has_a_title_sections_and_a_checklist():
    files = sorted(DEMO_RUNBOOKS_DIR.glob("*.md"))
    assert {f.stem for f in files} >= {
        "HighErrorRate", "HighLatency", "KubePodCrashLooping", "DiskWillFillIn4Hours",
        "CertificateExpiringSoon", "DeploymentReplicasMismatch",
    }
    for file in files:
        doc = load_runbook(file)
        assert doc.title and len(doc.sections) >= 3 and len(doc.checklist) >= 3, file.name


# -- searching -------------------------------------------------------------------------------


def test_alert_name_puts_its_runbook_first_even_when_others_mention_it(index: RunbookIndex):
    hits = index.search("KubePodCrashLooping")
    assert [h.path for h in hits][:2] == ["kubernetes/KubePodCrashLooping.md", "kubernetes/KubePodNotReady.md"]
    assert hits[0].title == "Pod crash looping"
    assert hits[0].score > hits[1].score


def test_camel_case_words_and_prefixes_find_the_runbook(index: RunbookIndex):
    assert index.search("crash looping")[0].path == "kubernetes/KubePodCrashLooping.md"
    assert index.search("loop") == []
    assert index.search("loop", prefix=True)[0].path == "kubernetes/KubePodCrashLooping.md"
    assert index.search("pod crash", prefix=True)[0].path == "kubernetes/KubePodCrashLooping.md"


def test_hidden_dirs_and_non_markdown_files_are_not_indexed(index: RunbookIndex):
    assert {d.path for d in index.documents()} == {
        "kubernetes/KubePodCrashLooping.md", "kubernetes/KubePodNotReady.md", "node/NodeDiskFull.md",
    }
    assert index.search("never indexed") == []


def test_words_are_anded_then_ored(index: RunbookIndex):
    assert [h.path for h in index.search("disk images")] == ["node/NodeDiskFull.md"]
    assert {h.path for h in index.search("images readiness")} == {"node/NodeDiskFull.md", "kubernetes/KubePodNotReady.md"}


@pytest.mark.parametrize(
    "query", ['"', 'disk"', "AND", "OR disk", "NEAR(disk", "disk*", "*", "title:disk", "-disk", "^disk", "(", "{a b}", "d'isk", "\x00disk", "  "]
)
def test_fts_syntax_in_user_input_never_raises(index: RunbookIndex, query: str):
    hits = index.search(query, prefix=True)
    assert isinstance(hits, list)
    if "disk" in query.lower() and not query.startswith("\x00"):
        assert "node/NodeDiskFull.md" in [h.path for h in hits]


def test_build_match_query_quotes_every_word():
    assert build_match_query('a "b" OR c*', prefix=True) == '"a" AND "b" AND "OR" AND "c"'
    assert build_match_query("kube-pod", prefix=True) == '"kube" AND "pod" *'
    assert build_match_query("kube pod ", prefix=True) == '"kube" AND "pod"'
    assert build_match_query("disk", operator="OR") == '"disk"'
    assert build_match_query("--- !!") is None


def test_snippet_highlights_point_at_the_matched_words(index: RunbookIndex):
    hit = index.search("previous container")[0]
    assert "\n" not in hit.snippet and "\x02" not in hit.snippet
    marked = {hit.snippet[a:b].lower() for a, b in hit.highlights}
    assert marked == {"previous", "container"}


def test_update_is_incremental(index: RunbookIndex, corpus: Path):
    stats = index.update()
    assert (stats.added, stats.updated, stats.removed, stats.unchanged) == (0, 0, 0, 3)
    page = corpus / "node/NodeDiskFull.md"
    page.write_text("# NodeDiskFull\nThe inode table is exhausted.\n")
    os.utime(page, ns=(1, 1))
    (corpus / "kubernetes/KubePodNotReady.md").unlink()
    write(corpus, "etcd/EtcdNoLeader.md", "# EtcdNoLeader\nno leader elected\n")
    stats = index.update()
    assert (stats.added, stats.updated, stats.removed, stats.unchanged) == (1, 1, 1, 1)
    assert index.search("inode")[0].path == "node/NodeDiskFull.md"
    assert index.search("images") == []
    assert index.search("readiness") == []
    assert index.search("leader")[0].path == "etcd/EtcdNoLeader.md"


def test_same_size_edit_is_seen_through_the_mtime(index: RunbookIndex, corpus: Path):
    page = corpus / "node/NodeDiskFull.md"
    old = page.read_text()
    page.write_text(old.replace("images", "zzzzzz"))
    os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns + 5_000_000_000))
    assert index.update().updated == 1
    assert index.search("zzzzzz")[0].path == "node/NodeDiskFull.md"


def test_indexes_sharing_one_file_see_only_their_roots(tmp_path: Path, corpus: Path):
    other = tmp_path / "other"
    write(other, "Backup.md", "# Backup\nrestore the disk snapshot\n")
    db = tmp_path / "shared.sqlite"
    with RunbookIndex(db, [corpus]) as a, RunbookIndex(db, [other]) as b:
        a.update()
        b.update()
        assert [h.path for h in a.search("disk")] == ["node/NodeDiskFull.md"]
        assert [h.path for h in b.search("disk")] == ["Backup.md"]
        assert a.update().removed == 0  # updating one root leaves the other's rows alone
        assert b.count() == 1


def test_a_missing_root_is_reported_and_its_rows_dropped(tmp_path: Path, corpus: Path):
    with RunbookIndex(tmp_path / "i.sqlite", [corpus, tmp_path / "nope"]) as idx:
        stats = idx.update()
        assert stats.missing_roots == [str((tmp_path / "nope").resolve())]
        assert stats.added == 3


# -- runbook_url resolution ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (PREFIX + "kubernetes/kubepodcrashlooping", "kubernetes/KubePodCrashLooping.md"),
        (PREFIX + "kubernetes/kubepodcrashlooping/", "kubernetes/KubePodCrashLooping.md"),
        (PREFIX.upper() + "KUBERNETES/KubePodCrashLooping.md?x=1#diagnosis", "kubernetes/KubePodCrashLooping.md"),
        (PREFIX + "anywhere/nodediskfull", "node/NodeDiskFull.md"),
        (PREFIX + "kubernetes/unknownalert", None),
        ("https://elsewhere.example/runbooks/kubernetes/kubepodcrashlooping", None),
        ("", None),
        (None, None),
    ],
)
def test_resolve_url_by_prefix_and_last_segment(index: RunbookIndex, corpus: Path, url, expected):
    path = index.resolve_url(url)
    assert path == (corpus / expected if expected else None)


def test_resolve_prefers_the_path_the_url_names(index: RunbookIndex, corpus: Path):
    write(corpus, "node/KubePodCrashLooping.md", "# a second page with the same stem\n")
    index.update()
    assert index.resolve_url(PREFIX + "node/kubepodcrashlooping") == corpus / "node/KubePodCrashLooping.md"
    assert index.resolve_url(PREFIX + "kubernetes/kubepodcrashlooping") == corpus / "kubernetes/KubePodCrashLooping.md"


# -- the real prometheus-operator runbooks ---------------------------------------------------


def _real_alerts() -> list[tuple[str, str, Path]]:
    yaml = pytest.importorskip("yaml")
    stems = {p.stem.lower(): p for p in REAL_RUNBOOKS.rglob("*.md")}
    found = {}
    for file in sorted(glob.glob(str(REAL_RULES / "*.yml"))):
        for group in yaml.safe_load(Path(file).read_text())["groups"]:
            for rule in group.get("rules", []):
                url = (rule.get("annotations") or {}).get("runbook_url")
                if rule.get("alert") and url:
                    page = stems.get(url.rstrip("/").rsplit("/", 1)[-1].lower())
                    if page is not None:
                        found[(rule["alert"], url)] = page
    return [(alert, url, page) for (alert, url), page in sorted(found.items())]


@pytest.mark.skipif(not REAL_RUNBOOKS.is_dir() or not REAL_RULES.is_dir(), reason="realworld runbooks/rules absent")
def test_real_alerts_resolve_and_rank_their_runbook_first(tmp_path: Path):
    alerts = _real_alerts()
    assert len(alerts) > 50
    with RunbookIndex(tmp_path / "r.sqlite", [REAL_RUNBOOKS], [PREFIX]) as idx:
        assert idx.update().added > 100
        unresolved = [(a, u) for a, u, page in alerts if idx.resolve_url(u) != page]
        assert unresolved == []
        misranked = [(a, [h.path for h in idx.search(a, limit=3)]) for a, _, page in alerts if (idx.search(a, limit=1) or [None])[0] is None or idx.search(a, limit=1)[0].full_path != page]
        assert misranked == [], f"hit rate {1 - len(misranked) / len(alerts):.1%}"


# -- the source ------------------------------------------------------------------------------


def make_source(tmp_path: Path, **options) -> RunbooksSource:
    context = SourceContext(cache_dir=tmp_path / "cache", config_dir=tmp_path,
                            open_runbook_index=index_opener(tmp_path / "cache"))
    return RunbooksSource("runbooks", RunbooksOptions(**options), context)


async def test_source_lists_runbooks_with_relative_paths(tmp_path: Path, corpus: Path):
    source = make_source(tmp_path, paths=["runbooks"], url_prefixes=[PREFIX])  # relative to config dir
    result = await source.fetch()
    assert sorted((d.path, d.title) for d in result.items) == [
        ("kubernetes/KubePodCrashLooping.md", "Pod crash looping"),
        ("kubernetes/KubePodNotReady.md", "KubePodNotReady"),
        ("node/NodeDiskFull.md", "NodeDiskFull"),
    ]
    assert {d.root for d in result.items} == {str(corpus.resolve())}
    assert result.degraded is None and result.info == {"runbooks": "3"}
    assert source.index.best_for_alert("NodeDiskFull").path == "node/NodeDiskFull.md"
    await source.close()


async def test_source_without_an_index_lent_by_the_engine_fails_in_one_line(tmp_path: Path, corpus: Path):
    """The index is the engine's: a source built outside an engine says so, and does not crash."""
    no_engine = SourceContext(cache_dir=tmp_path, config_dir=tmp_path)
    source = RunbooksSource("runbooks", RunbooksOptions(paths=["runbooks"]), no_engine)
    with pytest.raises(SourceError, match="no runbook index: the engine lent this source none"):
        await source.fetch()
    await source.close()


async def test_source_fails_without_folders_and_degrades_with_some(tmp_path: Path, corpus: Path):
    with pytest.raises(SourceError, match="not found"):
        await make_source(tmp_path, paths=["missing"]).fetch()
    partly = make_source(tmp_path, paths=[str(corpus), "missing"])
    result = await partly.fetch()
    assert len(result.items) == 3 and "missing" in (result.degraded or "")
    await partly.close()


def test_unknown_option_is_refused():
    with pytest.raises(ValueError, match="pathz"):
        RunbooksOptions(pathz=["x"])


def test_demo_alerts_open_their_demo_runbook(tmp_path: Path):
    with RunbookIndex(tmp_path / "d.sqlite", [DEMO_RUNBOOKS_DIR]) as idx:
        idx.update()
        for alert in ("HighErrorRate", "HighLatency", "KubePodCrashLooping", "DiskWillFillIn4Hours",
                      "CertificateExpiringSoon", "DeploymentReplicasMismatch"):
            assert idx.best_for_alert(alert).path == f"{alert}.md"


REMOTE_PAGE = b"<html><body><h1>RemoteAlert</h1><script>x()</script><p>Restart &amp; check</p></body></html>"


async def test_remote_runbook_is_fetched_then_read_offline(tmp_path: Path, corpus: Path):
    server = Loopback(lambda request: Answer(404, b"not found", content_type="text/plain"), routes={
        ("GET", "/runbooks/other/remotealert"): lambda request: Answer(200, REMOTE_PAGE, content_type="text/html; charset=utf-8"),
    }).start()
    base = f"{server.url}/runbooks/"
    source = make_source(tmp_path, paths=[str(corpus)], url_prefixes=[base], remote_cache=True)
    await source.fetch()
    try:
        assert await source.open_url(base + "kubernetes/kubepodcrashlooping") == corpus / "kubernetes/KubePodCrashLooping.md"
        cached = await source.open_url(base + "other/remotealert")
        assert cached is not None and cached.is_relative_to(tmp_path / "cache")
        text = cached.read_text()
        assert "# RemoteAlert" in text and "Restart & check" in text and "x()" not in text
        assert await source.open_url(base + "other/missing") is None
    finally:
        server.stop()
    assert await source.open_url(base + "other/remotealert") == cached  # server gone: the kept copy
    await source.close()
    no_remote = make_source(tmp_path, paths=[str(corpus)], url_prefixes=[base])
    await no_remote.fetch()
    assert await no_remote.open_url(base + "other/remotealert") is None
    await no_remote.close()


def test_snippets_and_titles_are_inert_and_offsets_hold(tmp_path: Path):
    root = tmp_path / "evil"
    write(root, "Evil.md", "# Bad\x1b]0;title\x07 one\n\nbefore \u202ereversed\u202c \x1b[31mdanger\x1b[0m zone\x9b2J after\n")
    with RunbookIndex(tmp_path / "e.sqlite", [root]) as idx:
        idx.update()
        hit = idx.search("danger")[0]
        for bad in ("\x1b", "\x07", "\u202e", "\x9b", "\x02", "\x03"):
            assert bad not in hit.snippet and bad not in hit.title
        assert [hit.snippet[a:b] for a, b in hit.highlights] == ["danger"]
