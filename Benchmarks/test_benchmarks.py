"""Tests of the benchmark's Python side: the corpus generator, the comparator and the agreement check.

Run: Benchmarks/.venv/bin/python -m pytest -q Benchmarks (compare.sh makes the venv).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import lxml.html
import orjson
import pyarrow.parquet as pq
import pytest
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import comparator  # noqa: E402


def run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, check=False)


def make_corpus(out: Path, seed: int = 7, markdown: float = 0.2, html: float = 0.2, json_mb: float = 0.2) -> None:
    result = run(HERE / "make_corpus.py", "--markdown-mb", markdown, "--slack-html-mb", html,
                 "--slack-json-mb", json_mb, "--seed", seed, "--out", out)
    assert result.returncode == 0, result.stderr


def digest(folder: Path) -> str:
    """SHA-256 over the corpus's files (not the pipeline files, which name the folder)."""
    sha = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in ("pipeline.yaml", "comparator.json")):
        sha.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


# ------------------------------------------------------------------------------------- make_corpus


def test_same_seed_gives_byte_identical_corpus_and_another_seed_does_not(tmp_path: Path) -> None:
    make_corpus(tmp_path / "a")
    make_corpus(tmp_path / "b")
    make_corpus(tmp_path / "c", seed=8)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_each_source_reaches_its_size_by_at_most_one_file(tmp_path: Path) -> None:
    make_corpus(tmp_path, markdown=0.5, html=0.4, json_mb=0.3)
    for folder, wanted, pattern in (("books", 500_000, "*.md"), ("slack-html", 400_000, "*.html"),
                                    ("slack-export", 300_000, "*/*.json")):
        files = sorted((tmp_path / folder).rglob(pattern))
        sizes = [f.stat().st_size for f in files]
        assert sum(sizes) >= wanted
        assert sum(sizes) - max(sizes) < wanted, folder


def test_generated_archives_are_valid_and_carry_the_mess_of_real_ones(tmp_path: Path) -> None:
    make_corpus(tmp_path, markdown=1, html=0, json_mb=0)
    names, texts = set(), []
    for path in sorted((tmp_path / "books").glob("*.md")):
        assert path.name[:8].isdigit() and path.name[8] == "-"
        front = yaml.load(path.read_text(encoding="utf-8").split("\n---", 1)[0][3:], Loader=yaml.CSafeLoader)
        assert {"title", "start", "end", "authors", "archive"} <= front.keys()
        for entry in front["archive"]:
            for message in [entry, *entry.get("replies", [])]:
                names.add(message["name"])
                texts.append(message["text"])
    corpus = "\n".join(texts)
    for needle in ("&gt;", "&amp;", ":wave:", ":skin-tone-", ":party_parrot:", "22:59:58", "https://"):
        assert needle in corpus, needle
    assert "" in texts  # replies that were only an image
    assert any("(" in n for n in names) and any(n != n.strip() for n in names)
    assert any(any(c in n for c in "áéíóüñçš") for n in names)


def test_pipeline_uses_only_the_given_steps(tmp_path: Path) -> None:
    result = run(HERE / "make_corpus.py", "--markdown-mb", 0.1, "--slack-html-mb", 0.1, "--out", tmp_path,
                 "--steps", "markdown,jsonl,parquet", "--output-root", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    pipeline = yaml.safe_load((tmp_path / "pipeline.yaml").read_text())
    assert [s["type"] for s in pipeline["extract"]] == ["markdown"]
    assert [s["type"] for s in pipeline["transform"]] == ["link_threads"]
    assert [(s["type"], s["tables"]) for s in pipeline["load"]] == [("jsonl", ["messages"]), ("parquet", ["messages"])]
    assert pipeline["load"][1]["compression"] == "zstd"
    settings = json.loads((tmp_path / "comparator.json").read_text())
    assert settings["sources"] == ["markdown"] and settings["formats"] == ["jsonl", "parquet"]


def test_unknown_step_is_refused(tmp_path: Path) -> None:
    result = run(HERE / "make_corpus.py", "--out", tmp_path, "--steps", "markdown,clean_emojis", "--pipeline-only")
    assert result.returncode == 2
    assert "unknown step types: clean_emojis" in result.stderr


def test_transcripts_are_deterministic_and_a_third_of_their_entries_have_no_author(tmp_path: Path) -> None:
    for folder, seed in (("a", 7), ("b", 7), ("c", 8)):
        result = run(HERE / "make_transcripts.py", "--mb", 0.5, "--seed", seed, "--out", tmp_path / folder)
        assert result.returncode == 0, result.stderr
    assert digest(tmp_path / "a") == digest(tmp_path / "b") != digest(tmp_path / "c")
    entries = []
    for path in sorted((tmp_path / "a" / "transcripts").glob("*.md")):
        front = yaml.load(path.read_text(encoding="utf-8").split("\n---", 1)[0][3:], Loader=yaml.CSafeLoader)
        assert {"title", "start", "end", "authors", "transcript"} <= front.keys()
        entries += front["transcript"]
    assert len(entries) > 1000
    spoken = [e for e in entries if "who" in e]
    assert all(isinstance(e["who"], str) and isinstance(e["line"], str) for e in spoken)
    assert all(set(e) in ({"header"}, {"line"}) for e in entries if "who" not in e)
    assert 0.28 < 1 - len(spoken) / len(entries) < 0.39
    pipeline = yaml.safe_load((tmp_path / "a" / "pipeline.yaml").read_text())
    assert pipeline["extract"] == [{"type": "markdown", "include": ["transcripts/*.md"], "archive_key": "transcript",
                                    "author_key": "who", "text_key": "line"}]


def test_duckdb_flattens_every_message_of_an_export_with_its_authors_name(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    make_corpus(tmp_path / "corpus", markdown=0, html=0, json_mb=0.3)
    export = tmp_path / "corpus" / "slack-export"
    result = run(HERE / "duckdb_slack.py", export, tmp_path / "messages.parquet")
    assert result.returncode == 0, result.stderr
    messages = [m for day in sorted(export.glob("*/*.json")) for m in json.loads(day.read_text(encoding="utf-8"))]
    table = pq.read_table(tmp_path / "messages.parquet").to_pylist()
    assert result.stdout.strip() == f"rows: {len(messages)}" and len(table) == len(messages)
    users = {u["id"]: u for u in json.loads((export / "users.json").read_text(encoding="utf-8"))}
    by_ts = {row["ts"]: row for row in table}
    for message in messages:
        row = by_ts[message["ts"]]
        user = users.get(message.get("user"))
        if user:
            assert row["author"] == (user["profile"]["display_name"].strip() or user["profile"]["real_name"].strip())
        assert row["text"] == message["text"]
        assert row["thread_ts"] == message.get("thread_ts", message["ts"])


# -------------------------------------------------------------------------------------- comparator


@pytest.mark.parametrize(("raw", "cleaned"), [
    ("hi :wave::skin-tone-3:", "hi 👋🏼"),
    ("hi :wave::skintone3:", "hi 👋🏼"),
    (":+1: and :thumbsup:", "👍 and 👍"),
    ("keep :party_parrot: as is", "keep :party_parrot: as is"),
    ("at 12:30:45 and 22:59:58", "at 12:30:45 and 22:59:58"),
    ("http://a:8080/x:y:", "http://a:8080/x:y:"),
    ("a:smile:b", "a:smile:b"),
    ("`:smile:` :smile: ```\n:wave:\n``` :wave:", "`:smile:` 😄 ```\n:wave:\n``` 👋"),
    ("``` unclosed :smile:", "``` unclosed 😄"),
    ("``` unclosed :smile: `x` :wave:", "``` unclosed 😄 `x` 👋"),
    ("```` ``` :smile: ``` :wave: ```` :tada:", "```` ``` :smile: ``` :wave: ```` 🎉"),
    ("``a ` :smile:`` :wave:", "``a ` :smile:`` 👋"),
    ("<@U1|:smile:> I <3 it :joy: <https://x|:wave:>", "<@U1|:smile:> I <3 it 😂 <https://x|:wave:>"),
    ("(https://x.org/a_(b)):tada: https://h/:tada:/x", "(https://x.org/a_(b))🎉 https://h/:tada:/x"),
    ("tone :skin-tone-3: 👍:skin-tone-2: `:skintone3:`", "tone 🏼 👍🏻 `:skintone3:`"),
    ("::smile: :smile::smile: :party_parrot::smile: :30::smile:", "::smile: 😄😄 :party_parrot:😄 :30::smile:"),
])
def test_clean_emoji(raw: str, cleaned: str) -> None:
    assert comparator.clean_emoji(raw) == cleaned


def viewer_body(body: str) -> str:
    """The text form the comparator gives a slack-export-viewer message body (the inside of `div.msg`)."""
    page = ('<html><body><div class="message-container"><div class="message"><div class="username">A</div>'
            f'<div class="time">2020-01-01 00:00:00</div><div class="msg">{body}</div></div></div></body></html>')
    msg = next(d for d in lxml.html.fromstring(page).iter("div") if d.get("class") == "msg")
    form = comparator.TextForm()
    form.render(msg)
    return form.finish()


@pytest.mark.parametrize(("body", "text"), [
    ("<p>one</p><p>two</p>", "one\ntwo"),
    ("a<br>b<br><br>c", "a\nb\n\nc"),
    ("  lots   of\n  space  ", "lots   of space"),  # the author's spaces kept, the page's line break one space
    ("a<br>  indented", "a\n  indented"),
    ("see <a href=\"https://x.io\">the <b>site</b></a>!", "see [the **site**](https://x.io)!"),
    ("<a href=\"https://x.io/\">https://x.io/</a> <a href=\"https://x.io\"></a>", "https://x.io/ https://x.io"),
    # A Slack link the viewer's markdown made a link of, target and label both `url|label`.
    ("<a href=\"https://e.com/?a=1&amp;b=2|Example\">https://e.com/?a=1&amp;b=2|Example</a>",
     "[Example](https://e.com/?a=1&b=2)"),
    ("<a href=\"https://e.com/x|y\">other</a>", "[other](https://e.com/x|y)"),
    ("<code>a  *  b</code> <pre>line 1\n  line 2</pre>after", "`a  *  b`\n```line 1\n  line 2```\nafter"),
    ("<ol><li>a</li><li>b</li></ol><blockquote>q</blockquote>r", "1. a\n2. b\n> q\nr"),
    ("&amp;amp; &lt;b&gt; &quot;", "&amp; <b> \""),
    ("👋:skin<em>tone</em>3: <strong>bold <strong>twice</strong></strong> <s>gone</s>",
     "👋:skin-tone-3: **bold twice** ~gone~"),
    ("<b>#general</b> is a channel; <b>#two words</b> is bold", "#general is a channel; **#two words** is bold"),
    ("see &lt;#C1|general&gt; and &lt;@ana&gt; &lt;!here&gt; &lt;https://e.com|E&gt; &lt;3",
     "see #general and @ana @here [E](https://e.com) <3"),
    ("<p><strong><strong>Thread Reply:</strong></strong> answer</p>", "answer"),
    ("text<div class=\"message-reaction\">👍 Bob</div> <img src=\"x.png\" alt=\":custom:\">", "text :custom:"),
])
def test_text_form_of_a_viewer_body(body: str, text: str) -> None:
    assert viewer_body(body) == text


@pytest.mark.parametrize(("raw", "text"), [
    ("hi <@U1> <@U1|ana> <@U9>", "hi @Ana B @ana @U9"),
    ("see <#C1> <#C2|random>", "see #general #random"),
    ("<!here> <!subteam^S1|@devs> <!date^1392734382^{date_short}|Feb 18, 2014> <!unknown>",
     "@here @devs Feb 18, 2014 <!unknown>"),
    ("<https://x.io/?a=1&amp;b=2|a &amp; b> <https://e.com|https://e.com>",
     "[a & b](https://x.io/?a=1&b=2) https://e.com"),
    ("&amp;lt; is not &lt;; &quot;x&quot; &AMP; stay", "&lt; is not <; &quot;x&quot; &AMP; stay"),
    ("<unclosed\n<@U1> <> 1 < 2", "<unclosed\n@Ana B <> 1 < 2"),
    ("*bold* and _it_ ~no~ `a*b*c`", "**bold** and _it_ ~no~ `a*b*c`"),
    ("*Question 1*: x\n*Question 2:* y (*a b*)", "**Question 1**: x\n**Question 2:** y (**a b**)"),
    ("2 * 3 * 4, a*b*c, *open\nclose*, ** x", "2 * 3 * 4, a*b*c, *open\nclose*, ** x"),
    ("```*x*``` *<https://e.com|y*z>*", "```*x*``` **[y*z](https://e.com)**"),
])
def test_mrkdwn_in_the_text_form(raw: str, text: str) -> None:
    assert comparator.mrkdwn(raw, {"U1": "Ana B"}, {"C1": "general"}) == text


def test_plan_places_an_export_by_its_path_as_threadline_does(tmp_path: Path) -> None:
    (tmp_path / "slack-html" / "channel" / "b-chan").mkdir(parents=True)
    (tmp_path / "slack-html" / "channel" / "b-chan" / "index.html").write_text("")
    (tmp_path / "slack-export" / "a-chan").mkdir(parents=True)
    (tmp_path / "books").mkdir()
    (tmp_path / "books" / "zz-book.md").write_text("")
    tasks = comparator.plan(tmp_path, ["markdown", "slack_html", "slack_json"])
    # The export is placed by its path, `slack-export`, a channel page by its document id.
    assert [t[3] for t in tasks] == ["slack_json:a-chan", "slack_html:b-chan", "zz-book"]


def test_object_lines_finds_each_top_level_objects_brace() -> None:
    data = b'[\n  {"a": "x{\\"[", "b": {"c": []}},\n  3,\n  [ {} ],\n  {"t": "}\\n{"}, {}\n]'
    assert comparator.object_lines(data) == [2, 5, 5]
    assert comparator.object_lines(b"[]") == []


@pytest.mark.parametrize(("raw", "cleaned"), [
    ("R&amp;D &gt; all", "R&D > all"),
    ("two\u00a0spaces  \t", "two spaces"),
    ("a  \r\n  b\r\n\r\n", "a\n  b"),
    ("Cafe\u0301", "Café"),
])
def test_clean_text(raw: str, cleaned: str) -> None:
    assert comparator.clean_text(raw) == cleaned


def test_clean_text_leaves_entities_a_source_already_decoded() -> None:
    assert comparator.clean_text("a &amp;gt; b ", decode=False) == "a &amp;gt; b"
    assert comparator.clean_text("a &amp;gt; b ") == "a &gt; b"


def test_author_normalisation_and_ids() -> None:
    authors = comparator.Authors(["Serg Masís", "  serg   masis (Author) ", "Serg Masís", "Kleppmann, Martin"],
                                 ["Martin Kleppmann"])
    assert authors.resolve("  serg   masis (Author) ") == ("serg-masis", "Serg Masís", False)
    assert authors.resolve("Kleppmann, Martin") == ("kleppmann-martin", "Kleppmann, Martin", True)
    assert comparator.plain_slug("Serg Masís (Author)") == "serg-masis-author"
    assert comparator.message_id("markdown", "doc", "q0") == hashlib.sha256(b"markdown\x1fdoc\x1fq0").hexdigest()[:16]


BOOK = """---
title: "A Book"
start: 2021-03-08 00:00:00
end: 2021-03-12 22:59:58
authors: [martinkleppmann]
archive:
- name: Tino
  text: 'Hi &amp; welcome :wave:'
  replies:
  - name: Martin Kleppmann
    text: Thanks
  - name: martinkleppmann
    text: ''
- name: Ana
  text: Second question
---

body
"""

PAGE = """<html><body><div class="messages">
<div class="message-container channel_join "><div id="2021-03-08 08:00:00"><div class="message">
<div class="username">new member</div><a><div class="time">2021-03-08 08:00:00</div></a>
<div class="msg"><p>@new member has joined the channel</p></div></div></div></div>
<div class="message-container"><div id="2021-03-08 10:37:18"><div class="message">
<div class="username">Tino
</div><a><div class="time">2021-03-08 10:37:18</div></a>
<div class="msg"><p>line one<br>line :wave::skin<em>tone</em>3:</p></div></div></div></div>
<div class="message-container"><div id="2021-03-08 10:41:12"><div class="reply">
<div class="username">Martin</div><a><div class="time">2021-03-08 10:41:12</div></a>
<div class="msg"><p><strong><strong>Thread Reply:</strong></strong> a reply</p></div></div></div></div>
<div class="message-container bot_message "><div id="2021-03-08 11:00:00"><div class="message">
<div class="username">bookbot</div><a><div class="time">2021-03-08 11:00:00</div></a>
<div class="msg"><p>See <a href="https://x.org">the <strong>book</strong></a>   in <strong>#general</strong>,
<code>a  *b*</code> &lt;!here&gt;</p><ul><li>one</li><li><em>two</em></li></ul>
<div class="message-reaction">:+1: 2</div></div></div></div></div>
</div></body></html>
"""


def write_tiny_corpus(root: Path) -> None:
    (root / "books").mkdir(parents=True)
    (root / "books" / "20210308-a-book.md").write_text(BOOK, encoding="utf-8")
    (root / "slack-html" / "channel" / "general").mkdir(parents=True)
    (root / "slack-html" / "channel" / "general" / "index.html").write_text(PAGE, encoding="utf-8")
    export = root / "slack-export"
    (export / "random").mkdir(parents=True)
    (export / "users.json").write_text(json.dumps([
        {"id": "U1", "name": "bob", "real_name": "Bob B", "profile": {"display_name": ""}},
        {"id": "U2", "name": "al", "profile": {"display_name": "Al"}}]))
    (export / "random" / "2021-03-08.json").write_text(json.dumps([
        {"type": "message", "user": "U1", "text": "question for <@U2>", "ts": "1615190400.000100",
         "thread_ts": "1615190400.000100"}]))
    (export / "random" / "2021-03-09.json").write_text(json.dumps([
        {"type": "message", "user": "U2", "text": "see <https://x.org|this>", "ts": "1615276800.000200",
         "thread_ts": "1615190400.000100"}], indent=2))
    (root / "comparator.json").write_text(json.dumps({
        "input_root": str(root), "sources": ["markdown", "slack_html", "slack_json"],
        "transforms": ["clean_text", "clean_emoji", "normalise_authors"], "formats": ["jsonl", "csv", "parquet"]}))


def test_comparator_writes_the_messages_table_in_three_formats(tmp_path: Path) -> None:
    write_tiny_corpus(tmp_path / "in")
    result = run(HERE / "comparator.py", "--corpus", tmp_path / "in", "--out", tmp_path / "out", "--jobs", 2)
    assert result.returncode == 0, result.stderr
    assert "3 files, 9 messages, 0 files rejected" in result.stderr
    rows = [orjson.loads(line) for line in (tmp_path / "out" / "messages.jsonl").read_bytes().splitlines()]
    assert list(rows[0]) == comparator.COLUMNS
    # Ordered by document id, the export by its path: 20210308-a-book, slack-export (slack_json:random),
    # slack_html:general; the channel_join message is not kept.
    assert [(r["document_id"], r["position"], r["reply_count"]) for r in rows] == [
        ("20210308-a-book", 0, 2), ("20210308-a-book", 1, 0), ("20210308-a-book", 2, 0), ("20210308-a-book", 0, 0),
        ("slack_json:random", 0, 1), ("slack_json:random", 1, 0), ("slack_html:general", 0, 1),
        ("slack_html:general", 1, 0), ("slack_html:general", 0, 0)]
    book = rows[:4]
    assert [r["source_line"] for r in book] == [7, 10, 12, 14]
    assert book[0]["text"] == "Hi & welcome 👋" and book[0]["text_raw"] == "Hi &amp; welcome :wave:"
    # The host is a profile id and there is no people folder: only the spelling equal to it is the host.
    assert [r["is_host"] for r in book] == [False, False, True, False]
    assert book[1]["parent_id"] == book[0]["message_id"] == book[2]["thread_id"]
    assert book[0]["message_id"] == comparator.message_id("markdown", "20210308-a-book", "q0")
    html = rows[6:]
    assert html[0]["author"] == "Tino" and html[0]["text"] == "line one\nline 👋🏼"
    assert html[0]["text_raw"] == "<p>line one<br>line :wave::skin<em>tone</em>3:</p>"
    assert html[0]["message_id"] == comparator.message_id("slack_html", "slack_html:general", "2021-03-08T10:37:18Z")
    assert html[0]["sent_at"] == "2021-03-08T10:37:18Z" and html[0]["source"] == "slack_html"
    assert html[1]["text"] == "a reply" and html[1]["parent_id"] == html[0]["message_id"]
    # The text form: links, bold, a channel name, code verbatim, a Slack token, list bullets; the
    # author's run of spaces kept, the page's line break one space; reactions left out.
    assert html[2]["text"] == "See [the **book**](https://x.org)   in #general, `a  *b*` @here\n• one\n• _two_"
    assert [r["is_bot"] for r in rows] == [False] * 8 + [True]
    assert all(r["duplicate_ids"] == [] for r in rows)
    slack = rows[4:6]
    assert [(r["author"], r["text"]) for r in slack] == [("Bob B", "question for @Al"), ("Al", "see [this](https://x.org)")]
    assert slack[1]["parent_id"] == slack[0]["message_id"]
    assert [r["source_line"] for r in slack] == [1, 2]
    assert [r["source_file"] for r in slack] == ["slack-export/random/2021-03-08.json", "slack-export/random/2021-03-09.json"]

    csv_lines = (tmp_path / "out" / "messages.csv").read_text(encoding="utf-8").splitlines()
    assert csv_lines[0].split(",")[:3] == ['"message_id"', '"thread_id"', '"parent_id"']
    first = csv_lines[1].split(",")
    assert first[2] == "" and first[14] == ""  # nulls are empty and unquoted
    assert first[-2:] == ["false", '"[]"']  # is_bot, and duplicate_ids as a JSON array
    table = pq.read_table(tmp_path / "out" / "messages.parquet")
    assert table.num_rows == 9 and table.schema.equals(comparator.SCHEMA)
    assert table.column("sent_at")[6].as_py() == datetime(2021, 3, 8, 10, 37, 18, tzinfo=timezone.utc)
    assert pq.ParquetFile(tmp_path / "out" / "messages.parquet").metadata.row_group(0).column(0).compression == "ZSTD"


@pytest.mark.skipif(not os.environ.get("THREADLINE_BIN"),
                    reason="needs THREADLINE_BIN, a built threadline (scripts/test sets it)")
def test_comparator_and_threadline_write_the_same_messages_table(tmp_path: Path) -> None:
    # Every source, transform and format of the benchmark, on a small corpus: every value agrees.
    result = run(HERE / "make_corpus.py", "--markdown-mb", 0.2, "--slack-html-mb", 0.2, "--slack-json-mb", 0.2,
                 "--out", tmp_path / "input", "--output-root", tmp_path / "threadline")
    assert result.returncode == 0, result.stderr
    threadline = subprocess.run([os.environ["THREADLINE_BIN"], "run", str(tmp_path / "input" / "pipeline.yaml"),
                                 "--quiet"], capture_output=True, text=True, check=False)
    assert threadline.returncode == 0, threadline.stderr
    result = run(HERE / "comparator.py", "--corpus", tmp_path / "input", "--out", tmp_path / "python", "--jobs", 1)
    assert result.returncode == 0, result.stderr
    agreement = run(HERE / "agree.py", *(tmp_path / side / f"messages.{fmt}" for fmt in ("jsonl", "parquet")
                                         for side in ("threadline", "python")))
    assert agreement.stdout.startswith("rows: threadline 1004, python 1004; columns match;"), agreement.stdout
    assert agreement.stdout.strip().endswith("parquet schemas equal, rows equal; every value agrees"), agreement.stdout
    assert agreement.returncode == 0


# ------------------------------------------------------------------------------------------- agree


def test_agree_reports_each_differing_column(tmp_path: Path) -> None:
    rows = [{"message_id": "a", "text": "x", "position": 0}, {"message_id": "b", "text": "y", "position": 1}]
    left, right = tmp_path / "l.jsonl", tmp_path / "r.jsonl"
    left.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    right.write_bytes(left.read_bytes())
    same = run(HERE / "agree.py", left, right)
    assert same.returncode == 0 and "rows: threadline 2, python 2; columns match; every value agrees" in same.stdout
    rows[1]["text"] = "z"
    right.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows) + b'{"message_id": "c"}\n')
    differ = run(HERE / "agree.py", left, right)
    assert differ.returncode == 1
    assert "rows: threadline 2, python 3" in differ.stdout and "text: 1 rows differ (e.g. b: 'y' vs 'z')" in differ.stdout
