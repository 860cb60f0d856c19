#!/usr/bin/env python3
"""Build a realistic benchmark corpus of a given size from the repository's seeds/.

The corpus recombines the real sentences and author names found in `seeds/` into many archives:

- `books/YYYYMMDD-slug.md`: "book of the week" archives (YAML front matter with `archive:` threads),
  about 40 KB each with a long tail of bigger ones;
- `slack-html/channel/<name>/index.html`: Slack-export pages in slack-export-viewer's multi-page
  layout (one page per channel, a few very big channels);
- `slack-export/`: a native Slack JSON export (users, channels, day files; threads by `thread_ts`).

Texts keep what real archives contain: HTML entities (`&gt;`, `&amp;`), emoji codes (known, with skin
tones, custom), times in the text (`22:59:58`), links, empty replies, authors spelled with accents,
other case, or a parenthetical suffix. The same `--seed` gives byte-identical corpora.

It also writes `pipeline.yaml` (threadline) and `comparator.json` (the Python comparator's settings) so
that both tools read the same files and write the same messages table as JSON Lines, CSV and Parquet.

Usage:
    make_corpus.py --markdown-mb 50 --slack-html-mb 100 [--slack-json-mb 0] --out DIR [--seed 7] [--seeds ../seeds]
                   [--steps markdown,slack_html,clean_text,...] [--output-root DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import random
import re
import sys
from pathlib import Path

import yaml

try:
    from yaml import CSafeDumper as Dumper
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - the venv's PyYAML has libyaml
    from yaml import SafeDumper as Dumper  # type: ignore[assignment]
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

MB = 1_000_000

#: Every step the benchmark pipeline can use, in pipeline order.
ALL_STEPS = ["markdown", "slack_html", "slack_json", "clean_text", "clean_emoji", "normalise_authors", "jsonl", "csv", "parquet"]

#: Known Slack emoji codes (iamcal names) and custom ones that must be kept as they are.
KNOWN_EMOJI = [":wave:", ":relaxed:", ":+1:", ":thumbsup:", ":tada:", ":100:", ":smile:", ":thinking_face:",
               ":pray:", ":rocket:", ":heart:", ":joy:", ":slightly_smiling_face:", ":raised_hands:", ":eyes:"]
SKIN_TONED = [":wave::skin-tone-3:", ":+1::skin-tone-2:", ":raised_hands::skin-tone-5:", ":pray::skin-tone-4:"]
CUSTOM_EMOJI = [":party_parrot:", ":fast_parrot:", ":datatalks:", ":shipit:"]
ENTITY_SNIPPETS = ["&gt; quoting the chapter", "R&amp;D", "a &lt; b &amp;&amp; b &gt; c", "&quot;exactly&quot;"]
TIME_SNIPPETS = ["see you at 22:59:58", "it starts 10:00:00 UTC", "ratio 3:2:1", "ping me at 12:30"]
LINKS = ["https://dataintensive.net/", "https://martin.kleppmann.com/papers/olep-cacm.pdf",
         "https://www.inkandswitch.com/local-first.html", "https://crdt.tech/", "https://example.org/a:b:c"]
ACCENTS = str.maketrans({"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ü", "n": "ñ", "c": "ç", "s": "š"})
FIRST_NAMES = ["Alexey", "Tino", "Vladimir", "Serg", "Raj", "Ana", "Jose", "Zoe", "Renee", "Francois", "Bjorn",
               "Anais", "Chloe", "Noel", "Ines", "Mikhail", "Jurgen", "Lucia", "Sandra", "Ozan"]
LAST_NAMES = ["Grigorev", "Finkelshtein", "Masis", "Iyer", "Lopez", "Muller", "Garcia", "Nunez", "Dubois",
              "Ceglowski", "Smith", "Kowalski", "Yilmaz", "Nakamura", "Okafor", "Pereira"]
SUFFIXES = [" (Author)", " (she/her)", " (he/him)", " (DataTalks)"]
WORDS_FOR_TITLES = ["Data", "Systems", "Machine", "Learning", "Engineering", "Pipelines", "Python", "Streams",
                    "Distributed", "Analytics", "Cloud", "Design", "Patterns", "Practical", "Modern", "Deep"]


class Seeds:
    """Sentences, names and titles read from `seeds/`: the raw material every generated file recombines."""

    def __init__(self, root: Path) -> None:
        self.sentences: list[str] = []
        self.names: list[str] = []
        self.titles: list[str] = []
        books = sorted((root / "books").glob("*.md"))
        if not books:
            sys.exit(f"make_corpus: no seed archives in {root / 'books'}")
        for path in books:
            self._read_book(path)
        for path in sorted((root / "slack-export").glob("*/*.json")):
            self._read_slack_day(path)
        self.sentences = sorted(set(s for s in self.sentences if 3 <= len(s) <= 600))
        self.names = sorted(set(self.names))

    def _read_book(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        parts = text.split("\n---", 1)
        if not text.startswith("---") or len(parts) < 2:
            return
        front = yaml.load(parts[0][3:], Loader=Loader) or {}
        if isinstance(front.get("title"), str):
            self.titles.append(front["title"])
        for entry in front.get("archive") or []:
            for message in [entry, *(entry.get("replies") or [])]:
                if isinstance(message.get("name"), str):
                    self.names.append(message["name"])
                if isinstance(message.get("text"), str):
                    self._add_text(message["text"])

    def _read_slack_day(self, path: Path) -> None:
        try:
            messages = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        for message in messages if isinstance(messages, list) else []:
            if isinstance(message, dict) and isinstance(message.get("text"), str):
                self._add_text(message["text"])

    def _add_text(self, text: str) -> None:
        for paragraph in text.split("\n"):
            self.sentences.extend(s.strip() for s in re.split(r"(?<=[.?!])\s+", paragraph) if s.strip())


class Writer:
    """Generates texts, names and files deterministically from one random generator."""

    def __init__(self, seeds: Seeds, rng: random.Random) -> None:
        self.seeds = seeds
        self.rng = rng
        people = [f"{f} {l}" for f in FIRST_NAMES for l in LAST_NAMES]
        rng.shuffle(people)
        self.people = seeds.names + people[:200]

    def author(self) -> str:
        """A name as people type it: mostly as is, sometimes accented, re-cased or with a suffix."""
        name = self.rng.choice(self.people)
        roll = self.rng.random()
        if roll < 0.03:
            name = name.lower()
        elif roll < 0.06:
            spots = [i for i, c in enumerate(name) if ord(c) in ACCENTS]
            if spots:
                i = self.rng.choice(spots)
                name = name[:i] + ACCENTS[ord(name[i])] + name[i + 1:]
        elif roll < 0.10:
            name += self.rng.choice(SUFFIXES)
        elif roll < 0.12:
            name = f"  {name.upper()} "
        return name

    def text(self, min_sentences: int = 1, max_sentences: int = 6) -> str:
        """A message: real sentences recombined, with entities, emoji, times and links sprinkled in."""
        rng = self.rng
        if rng.random() < 0.03:
            return ""  # a reply that was only an image
        parts = [rng.choice(self.seeds.sentences) for _ in range(rng.randint(min_sentences, max_sentences))]
        for pool, chance in ((KNOWN_EMOJI, 0.35), (SKIN_TONED, 0.1), (CUSTOM_EMOJI, 0.05),
                             (ENTITY_SNIPPETS, 0.15), (TIME_SNIPPETS, 0.1), (LINKS, 0.1)):
            if rng.random() < chance:
                parts.insert(rng.randrange(len(parts) + 1), rng.choice(pool))
        separator = "\n\n" if rng.random() < 0.2 else " "
        return separator.join(parts)

    def title(self) -> str:
        if self.seeds.titles and self.rng.random() < 0.3:
            return self.rng.choice(self.seeds.titles)
        words = self.rng.sample(WORDS_FOR_TITLES, self.rng.randint(2, 4))
        return " ".join(words)

    def size(self, median: int, big: int, big_chance: float) -> int:
        """A file size: log-normal around `median`, sometimes `big`-ish."""
        if self.rng.random() < big_chance:
            return int(big * self.rng.uniform(0.6, 1.4))
        return max(2_000, int(self.rng.lognormvariate(0, 0.6) * median))


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def write_books(writer: Writer, out: Path, total_bytes: int) -> tuple[int, int]:
    """Writes markdown archives until `total_bytes`; returns (files, bytes)."""
    rng = writer.rng
    folder = out / "books"
    folder.mkdir(parents=True, exist_ok=True)
    day = dt.date(2020, 1, 6)
    written = files = 0
    while written < total_bytes:
        target = min(writer.size(40_000, 400_000, 0.01), max(2_000, total_bytes - written))
        title = writer.title()
        hosts = [slugify(writer.author()).replace("-", "") for _ in range(rng.randint(1, 2))]
        archive = []
        size = 0
        while size < target:
            question = {"name": writer.author(), "text": writer.text(2, 8)}
            replies = [{"name": writer.author() if rng.random() < 0.6 else hosts[0], "text": writer.text()}
                       for _ in range(rng.choice([0, 1, 1, 2, 3, 4, 6, 9]))]
            if replies:
                question["replies"] = replies
            archive.append(question)
            size += len(question["text"]) + sum(len(r["text"]) + 40 for r in replies) + 60
        start = day + dt.timedelta(days=7 * files)
        name = f"{start:%Y%m%d}-{slugify(title)}-{files}.md"
        header = [
            "---",
            f"title: {json.dumps(title, ensure_ascii=False)}",
            f"description: {json.dumps('Book of the Week. ' + title, ensure_ascii=False)}",
            f"start: {start:%Y-%m-%d} 00:00:00",
            f"end: {start + dt.timedelta(days=4):%Y-%m-%d} 22:59:58",
            f"authors: [{', '.join(hosts)}]",
            "links:",
            f"  - text: Book's website\n    link: {rng.choice(LINKS)}",
            "",
        ]
        body = yaml.dump({"archive": archive}, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=80)
        content = "\n".join(header) + body + "---\n\n" + f"{title} is this week's book.\n"
        data = content.encode("utf-8")
        (folder / name).write_bytes(data)
        written += len(data)
        files += 1
    return files, written


PAGE_HEAD = """<!DOCTYPE html>
<html lang="en">

<head>
    <meta charset="UTF-8">
    <title>Slack Export - #{channel}</title>
    
    <link rel="stylesheet" type="text/css" href="../../static/viewer.css">
    
</head>
<body>
<div id="slack-archive-viewer">
    
    <div id="sidebar">
        <h3 id="channel-title">Public Channels</h3>
        <ul class="list" id="channel-list">
            
                <li class="channel active">
                    <a href="index.html">
                        # {channel}
                    </a>
                </li>
            
        </ul>
        
        
        
    </div><div class="messages">
        
"""

PAGE_TAIL = """        
    </div>
</div>

<script>
(function() {
  var sidebar = document.querySelector('#sidebar');
  var selected = document.querySelector('.active');
  sidebar.scrollTop = selected.offsetTop - 200;
})()
</script>
</body>
</html>
"""

MESSAGE = """            
                <div class="message-container{subtype}">
        <div id="{time}">
            
            
                <div class="{kind}">
            
            
                <div class="user_icon{icon}"></div>
            
                <div class="username">{user}
                    
                </div>
                <a href="#{time}"><div class="time">{time}</div></a>
                <div class="msg">
                    <p>{prefix}{text}</p>
                    
                    {extra}
                    
		</div>
            </div>
        </div>
    </div>
            
        
"""

EMOJI_RENDERED = {":wave:": "👋", ":+1:": "👍", ":tada:": "🎉", ":smile:": "😄", ":rocket:": "🚀", ":eyes:": "👀"}


def html_text(writer: Writer, text: str) -> str:
    """A message text as slack-export-viewer renders it: escaped, links and code marked up, some emoji
    already converted and skin tones mangled (`:skin<em>tone</em>3:`)."""
    rng = writer.rng
    rendered = html.escape(text, quote=False).replace("&amp;amp;", "&amp;").replace("&amp;gt;", "&gt;") \
        .replace("&amp;lt;", "&lt;").replace("&amp;quot;", "&quot;")
    for code, char in EMOJI_RENDERED.items():
        if code in rendered and rng.random() < 0.5:
            rendered = rendered.replace(code, char)
    rendered = re.sub(r":skin-tone-(\d):", r":skin<em>tone</em>\1:", rendered)
    rendered = re.sub(r"(https?://[^\s<]+)", r'<a href="\1">\1</a>', rendered)
    if rng.random() < 0.05:
        rendered += "<br><code>SELECT ** FROM accounts WHERE id = 1 FOR UPDATE;</code>"
    if rng.random() < 0.05:
        rendered = f"@{writer.author().strip()} " + rendered
    return rendered.replace("\n", "<br>")


def write_slack_html(writer: Writer, out: Path, total_bytes: int) -> tuple[int, int]:
    """Writes one slack-export-viewer page per channel until `total_bytes`; returns (files, bytes)."""
    rng = writer.rng
    written = files = 0
    while written < total_bytes:
        target = min(writer.size(400_000, 12_000_000, 0.02), max(5_000, total_bytes - written))
        channel = f"{slugify(writer.title())}-{files}"
        folder = out / "slack-html" / "channel" / channel
        folder.mkdir(parents=True, exist_ok=True)
        moment = dt.datetime(2021, 1, 4, 8, 0, 0) + dt.timedelta(days=rng.randint(0, 900))
        chunks = [PAGE_HEAD.format(channel=channel)]
        size = len(chunks[0])

        def add(kind: str, user: str, text: str, subtype: str = "", extra: str = "") -> None:
            nonlocal size, moment
            moment += dt.timedelta(seconds=rng.randint(5, 4_000))
            chunk = MESSAGE.format(
                subtype=f" {subtype} " if subtype else "", time=f"{moment:%Y-%m-%d %H:%M:%S}", kind=kind,
                icon="_reply" if kind == "reply" else "", user=html.escape(user.strip()),
                prefix="<strong><strong>Thread Reply:</strong></strong> " if kind == "reply" else "",
                text=text, extra=extra)
            chunks.append(chunk)
            size += len(chunk)

        add("message", "new member", f"@new member {files} has joined the channel", subtype="channel_join")
        while size < target:
            reaction = ""
            if rng.random() < 0.1:
                reaction = f'<div class="message-reaction">\n                        👍 {html.escape(writer.author())}\n                        </div>'
            add("message", writer.author(), html_text(writer, writer.text(2, 8)),
                subtype="bot_message" if rng.random() < 0.01 else "", extra=reaction)
            for _ in range(rng.choice([0, 0, 1, 2, 3, 5, 8])):
                add("reply", writer.author(), html_text(writer, writer.text()))
        chunks.append(PAGE_TAIL)
        data = "".join(chunks).encode("utf-8")
        (folder / "index.html").write_bytes(data)
        written += len(data)
        files += 1
    return files, written


def mrkdwn(writer: Writer, text: str, users: list[dict]) -> str:
    """A message text as Slack stores it: `&`, `<`, `>` escaped, with user mentions and links."""
    rng = writer.rng
    stored = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("&amp;amp;", "&amp;") \
        .replace("&amp;gt;", "&gt;").replace("&amp;lt;", "&lt;")
    stored = re.sub(r"(https?://[^\s<]+)", lambda m: f"<{m.group(1)}>" if rng.random() < 0.5 else f"<{m.group(1)}|link>",
                    stored)
    if rng.random() < 0.08:
        stored = f"<@{rng.choice(users)['id']}> " + stored
    return stored


def write_slack_json(writer: Writer, out: Path, total_bytes: int) -> tuple[int, int]:
    """Writes a native Slack export (`users.json`, `channels.json`, one folder of day files per channel)
    until `total_bytes`; threads as `thread_ts`, replies in the day file of their own date."""
    rng = writer.rng
    root = out / "slack-export"
    root.mkdir(parents=True, exist_ok=True)
    users = []
    for number, name in enumerate(sorted(set(writer.author().strip() for _ in range(400)))):
        user_id = f"U{number:08X}"
        display = name if rng.random() < 0.7 else ""
        users.append({"id": user_id, "team_id": "T0BENCH", "name": slugify(name).replace("-", "."),
                      "real_name": name, "deleted": False,
                      "profile": {"real_name": name, "display_name": display, "image_72": ""}})
    written = files = channels = 0
    channel_list = []
    while written < total_bytes:
        target = min(writer.size(400_000, 10_000_000, 0.02), max(5_000, total_bytes - written))
        name = f"{slugify(writer.title())}-{channels}"
        channel_list.append({"id": f"C{channels:08X}", "name": name, "created": 1600000000,
                             "members": [u["id"] for u in rng.sample(users, 20)]})
        moment = 1609750800 + rng.randint(0, 900) * 86_400
        messages: list[dict] = []
        size = 0
        sequence = 0

        def ts() -> str:
            nonlocal sequence
            sequence += 1
            return f"{moment}.{sequence:06d}"

        while size < target:
            moment += rng.randint(5, 4_000)
            parent_ts = ts()
            user = rng.choice(users)
            parent = {"type": "message", "user": user["id"], "text": mrkdwn(writer, writer.text(2, 8), users),
                      "ts": parent_ts, "team": "T0BENCH"}
            if rng.random() < 0.01:
                parent = {"type": "message", "subtype": "bot_message", "bot_id": "B0BENCH", "username": "bookbot",
                          "text": parent["text"], "ts": parent_ts}
            replies = []
            reply_moment = moment
            for _ in range(rng.choice([0, 0, 1, 2, 3, 5, 8])):
                reply_moment += rng.randint(30, 30_000)
                replies.append({"type": "message", "user": rng.choice(users)["id"],
                                "text": mrkdwn(writer, writer.text(), users),
                                "ts": f"{reply_moment}.{rng.randint(0, 999_999):06d}", "thread_ts": parent_ts,
                                "parent_user_id": user["id"]})
            if replies:
                parent.update({"thread_ts": parent_ts, "reply_count": len(replies),
                               "replies": [{"user": r["user"], "ts": r["ts"]} for r in replies]})
            if rng.random() < 0.1:
                parent["reactions"] = [{"name": "+1", "users": [rng.choice(users)["id"]], "count": 1}]
            messages.append(parent)
            messages.extend(replies)
            size += sum(len(m["text"]) + 160 for m in [parent, *replies])
        days: dict[str, list[dict]] = {}
        for message in sorted(messages, key=lambda m: tuple(int(p) for p in m["ts"].split("."))):
            day = dt.datetime.fromtimestamp(int(message["ts"].split(".")[0]), dt.timezone.utc)
            days.setdefault(f"{day:%Y-%m-%d}", []).append(message)
        folder = root / name
        folder.mkdir(exist_ok=True)
        for day, day_messages in days.items():
            data = json.dumps(day_messages, ensure_ascii=False, indent=4).encode("utf-8")
            (folder / f"{day}.json").write_bytes(data)
            written += len(data)
            files += 1
        channels += 1
    (root / "users.json").write_text(json.dumps(users, ensure_ascii=False, indent=1), encoding="utf-8")
    (root / "channels.json").write_text(json.dumps(channel_list, indent=1), encoding="utf-8")
    return files, written


def write_pipeline(out: Path, output_root: Path, steps: list[str], sources: dict[str, int]) -> None:
    """Writes `pipeline.yaml` for threadline and `comparator.json` for the comparator: same inputs, same
    steps, the messages table in every format both tools write."""
    lines = ["# Generated by Benchmarks/make_corpus.py: the threadline side of the comparison.", "version: 1",
             "name: benchmark", f"input_root: {out.resolve()}", f"output_root: {output_root.resolve()}",
             "on_error: quarantine", "max_rejects: 100%", "extract:"]
    used = [s for s in ("markdown", "slack_html", "slack_json") if s in steps and sources.get(s, 0) > 0]
    if "markdown" in used:
        lines += ["  - type: markdown", '    include: ["books/*.md"]']
    if "slack_html" in used:
        lines += ["  - type: slack_html", '    include: ["slack-html/channel/*/index.html"]', "    timezone: UTC"]
    if "slack_json" in used:
        lines += ["  - type: slack_json", '    include: ["slack-export"]']
    transforms = [s for s in ("clean_text", "clean_emoji", "normalise_authors") if s in steps]
    lines += ["transform:"] + [f"  - type: {t}" for t in transforms]
    lines += ["  - type: link_threads", "load:"]
    formats = [s for s in ("jsonl", "csv", "parquet") if s in steps]
    for fmt in formats:
        lines += [f"  - type: {fmt}", "    tables: [messages]", f'    path: "{{table}}.{fmt}"']
        if fmt == "parquet":
            lines.append("    compression: zstd")
    (out / "pipeline.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = {"input_root": str(out.resolve()), "sources": used, "transforms": transforms, "formats": formats}
    (out / "comparator.json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--markdown-mb", type=float, default=50)
    parser.add_argument("--slack-html-mb", type=float, default=100)
    parser.add_argument("--slack-json-mb", type=float, default=0)
    parser.add_argument("--out", type=Path, required=True, help="corpus folder (created)")
    parser.add_argument("--seeds", type=Path, default=Path(__file__).resolve().parent.parent / "seeds")
    parser.add_argument("--seed", type=int, default=7, help="random seed: the same seed gives the same corpus")
    parser.add_argument("--steps", default=",".join(ALL_STEPS),
                        help="comma-separated step types the pipeline may use (those threadline has)")
    parser.add_argument("--output-root", type=Path, help="threadline's output folder (default OUT/../out-threadline)")
    parser.add_argument("--pipeline-only", action="store_true", help="only rewrite pipeline.yaml and comparator.json")
    args = parser.parse_args()

    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = sorted(set(steps) - set(ALL_STEPS))
    if unknown:
        parser.error(f"unknown step types: {', '.join(unknown)} (known: {', '.join(ALL_STEPS)})")
    args.out.mkdir(parents=True, exist_ok=True)
    output_root = args.output_root or args.out.parent / "out-threadline"
    sources = {"markdown": int(args.markdown_mb * MB), "slack_html": int(args.slack_html_mb * MB),
               "slack_json": int(args.slack_json_mb * MB)}
    if not args.pipeline_only:
        writer = Writer(Seeds(args.seeds), random.Random(args.seed))
        for name, write in (("markdown", write_books), ("slack_html", write_slack_html),
                            ("slack_json", write_slack_json)):
            if sources[name] > 0:
                files, written = write(writer, args.out, sources[name])
                print(f"make_corpus: {name}: {files} files, {written / MB:.1f} MB", file=sys.stderr)
    write_pipeline(args.out, output_root, steps, sources)


if __name__ == "__main__":
    main()
