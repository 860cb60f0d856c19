#!/usr/bin/env python3
"""The Python pipeline threadline is measured against: what a competent data engineer would write.

It reads the same corpus as the benchmark's `pipeline.yaml` (settings in the corpus's `comparator.json`,
written by make_corpus.py) and writes the same messages table (docs/tables.md's 16 columns, in order)
as JSON Lines, CSV and zstd Parquet, doing the same work per message:

- markdown: front matter split off, parsed with PyYAML's C loader (`compose` with `CSafeLoader`, so
  every message keeps its source line, as threadline's does);
- slack_html: slack-export-viewer pages parsed with lxml (libxml2), messages selected by class
  (join/leave-style subtypes skipped), replies linked to the message before them, times read as
  UTC, the markup inside `div.msg` kept as `text_raw`, the text as a reader sees it as `text`;
- slack_json: a native export's channel folders read with orjson, threads grouped by `thread_ts`
  across day files, user mentions resolved from `users.json`, Slack links as markdown links;
- clean_text: `html.unescape`, Unicode NFC, non-breaking spaces to spaces, line endings to `\\n`,
  trailing whitespace trimmed; clean_emoji: Slack `:codes:` (with skin tones and the viewer's
  mangled forms) through the `emoji` package's alias table, unknown codes kept, codes inside code,
  Slack tokens and URLs left alone (one regular expression finds both); normalise_authors:
  names folded (case, accents, punctuation, a trailing parenthetical) into a stable id, each
  document's preferred spelling shown, hosts matched;
- message_id as threadline makes it (SHA-256 over source, document and key).

Its best settings: files are processed in parallel by a process pool over all cores (ordered `imap`,
so output order is deterministic); workers serialise JSON Lines with orjson and build Arrow record
batches, which Arrow's CSV writer turns into CSV; the parent only appends bytes and writes Parquet
row groups of `--row-group` rows with zstd at level 3 (threadline's default level). Outputs go to
temporary files renamed into place.

Usage: comparator.py --corpus DIR --out DIR [--jobs N]
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import multiprocessing
import os
import re
import sys
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

import emoji
import lxml.html
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import yaml
from yaml import CSafeLoader

NULLABLE = {"parent_id", "source_line", "sent_at"}
SCHEMA = pa.schema([
    pa.field(name, kind, nullable=name in NULLABLE) for name, kind in [
        ("message_id", pa.string()), ("thread_id", pa.string()), ("parent_id", pa.string()),
        ("position", pa.int32()), ("document_id", pa.string()), ("source", pa.string()),
        ("source_file", pa.string()), ("source_line", pa.int32()), ("author_id", pa.string()),
        ("author", pa.string()), ("author_raw", pa.string()), ("is_host", pa.bool_()),
        ("text", pa.string()), ("text_raw", pa.string()),
        ("sent_at", pa.timestamp("us", tz="UTC")), ("reply_count", pa.int32()),
    ]
])
COLUMNS = SCHEMA.names
SENT_AT = COLUMNS.index("sent_at")

# ---------------------------------------------------------------------------------------------- text


def emoji_table() -> dict[str, str]:
    """Slack-style names (`thumbsup`, `+1`, `wave`) to emoji, from the `emoji` package's data."""
    table: dict[str, str] = {}
    for char, data in emoji.EMOJI_DATA.items():
        for name in [data.get("en", ""), *data.get("alias", [])]:
            if name.startswith(":") and name.endswith(":"):
                table.setdefault(name[1:-1].lower(), char)
    return table


EMOJI = emoji_table()
# A code, or a span whose codes stay as they are (as clean_emoji skips them): a closed ``` block,
# inline code on one line, a `<…>` token (`<` and a letter, `/`, `@`, `#` or `!`, up to the first `>`
# on the line), or a URL (up to whitespace, `<`, `>`, `"`, a backtick or an unbalanced `)`).
TONE = r"skin[-_]?tone[-_]?([2-6])"  # `skin-tone-3`, and the viewer's `skin_tone_3` and `skintone3`
EMOJI_CODE = re.compile(
    r"(?P<span>```.*?```|`[^`\n]*`|<[A-Za-z/@#!][^>\n]*>|(?<=[A-Za-z])://(?:[^\s<>\"`()]|\([^\s<>\"`()]*\))*)"
    r"|(?<![A-Za-z0-9]):([a-z0-9_+\-]{1,60}):(?::" + TONE + r":)?(?![A-Za-z0-9])",
    re.S)
TONE_NAME = re.compile(TONE)  # alone (or after 👍, as the viewer writes reactions): the modifier
SPACES = re.compile(r"[ \t\u00a0]{2,}|[\t\u00a0]")  # only runs that change: one space is left alone
BLANK_LINES = re.compile(r"\n{3,}")
PARENTHETICAL = re.compile(r"\s*\([^()]*\)\s*$")
NON_ALNUM = re.compile(r"[^a-z0-9]+")
NON_WORD = re.compile(r"[^\w]+|_+")
PUNCTUATION = re.compile(r"[.,]")
APOSTROPHES = re.compile(r"['\u2019]")


def clean_text(text: str, decode: bool = True) -> str:
    """Entities decoded once (unless the source decoded them: HTML), NFC, non-breaking spaces to
    spaces, line endings to `\\n`, trailing whitespace trimmed from every line and from the end."""
    text = unicodedata.normalize("NFC", html.unescape(text) if decode else text).replace("\u00a0", " ")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" not in text:
        return text.rstrip()
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip()


def clean_emoji(text: str) -> str:
    """Known `:codes:` (with `:skin-tone-N:`, and the viewer's `:skintoneN:`) to emoji; a tone alone
    is the modifier. A code may follow a `:` only where that `:` ended the code before it."""
    if ":" not in text:
        return text
    last_end = -1

    def replace(match: re.Match[str]) -> str:
        nonlocal last_end
        if match.group("span"):
            return match.group(0)  # code, a token or a URL: kept as it is
        start, name = match.start(), match.group(2)
        if start > 0 and text[start - 1] == ":" and start != last_end:
            return match.group(0)  # `::smile:`: that colon ended no code
        tone = TONE_NAME.fullmatch(name)
        char = EMOJI.get(name)
        if tone is None and char is None and not any(c.isalpha() for c in name):
            return match.group(0)  # `:30:` is no code
        last_end = match.end()
        if tone:
            return chr(0x1F3FB + int(tone.group(1)) - 2)
        if char is None:
            return match.group(0)  # unknown or custom: kept as it is
        if match.group(3):
            char += chr(0x1F3FB + int(match.group(3)) - 2)
        return char

    return EMOJI_CODE.sub(replace, text)


def display_name(raw: str) -> str:
    """NFC, whitespace runs as one space, a trailing parenthetical removed (unless nothing is left)."""
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    return PARENTHETICAL.sub("", name) or name


def match_key(raw: str) -> str:
    """The display name lowercased, accents removed, `.` and `,` read as spaces, apostrophes dropped."""
    folded = unicodedata.normalize("NFKD", display_name(raw).lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = APOSTROPHES.sub("", PUNCTUATION.sub(" ", folded))
    return " ".join(folded.split())


def slug(name: str) -> str:
    """A stable id: the match key's letters and digits, other runs as one `-` (`Serg Masís` -> `serg-masis`)."""
    words = NON_WORD.sub("-", match_key(name)).strip("-")
    return words or "author-" + hashlib.sha256(name.encode()).hexdigest()[:16]


def plain_slug(name: str) -> str:
    """The id threadline gives when `normalise_authors` does not run: accents and case folded, ASCII
    letters and digits kept, other runs as one `-`."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return NON_ALNUM.sub("-", folded).strip("-") or "author-" + message_id("author", "", name)[:8]


class Authors:
    """One document's authors: each spelling maps to the spelling most of that document's messages
    use for the same match key (on a tie: more accented letters, more capitals, then code-point
    order); hosts match by match key, in either order."""

    def __init__(self, raws: list[str], hosts: list[str]) -> None:
        counts: dict[str, dict[str, int]] = {}
        for raw in raws:
            spellings = counts.setdefault(match_key(raw), {})
            name = display_name(raw)
            spellings[name] = spellings.get(name, 0) + 1
        self.canonical = {key: min(spellings, key=lambda name: (
            -spellings[name], -sum(not c.isascii() for c in name), -sum(c.isupper() for c in name), name))
            for key, spellings in counts.items()}
        self.hosts = {match_key(h) for h in hosts} | {" ".join(reversed(match_key(h).split())) for h in hosts}

    def resolve(self, raw: str) -> tuple[str, str, bool]:
        """(author_id, author, is_host) of a raw name."""
        key = match_key(raw)
        return slug(key), self.canonical.get(key, display_name(raw)), key in self.hosts


def message_id(source: str, document: str, key: str) -> str:
    return hashlib.sha256(f"{source}\x1f{document}\x1f{key}".encode()).hexdigest()[:16]


# ------------------------------------------------------------------------------------------ sources


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null" else None


def _mapping(node: yaml.Node) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def read_markdown(path: Path) -> tuple[list[str], list[list[tuple]], str | None]:
    """(hosts, threads of (key, parent_key, line, author_raw, text_raw, text, sent_at, file), reject
    reason); `file` is None where it is the input file itself."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return [], [], "no front matter"
    end = text.find("\n---", 3)
    if end < 0:
        return [], [], "front matter is not closed"
    try:
        root = yaml.compose(text[3:end], Loader=CSafeLoader)
    except yaml.YAMLError as error:
        return [], [], f"invalid YAML in front matter: {error}"
    top = _mapping(root)
    hosts_node = top.get("authors")
    hosts = [_scalar(n) or "" for n in hosts_node.value] if isinstance(hosts_node, yaml.SequenceNode) else []
    threads = []
    archive = top.get("archive")
    for index, entry in enumerate(archive.value if isinstance(archive, yaml.SequenceNode) else []):
        key = f"q{index}"
        messages = []
        fields = _mapping(entry)
        if _scalar(fields.get("name")):
            body = _scalar(fields.get("text")) or ""
            messages.append((key, None, entry.start_mark.line + 1, _scalar(fields["name"]), body, body, None, None))
        replies = fields.get("replies")
        for r, reply in enumerate(replies.value if isinstance(replies, yaml.SequenceNode) else []):
            reply_fields = _mapping(reply)
            if _scalar(reply_fields.get("name")):
                body = _scalar(reply_fields.get("text")) or ""
                messages.append((f"{key}.r{r}", key, reply.start_mark.line + 1, _scalar(reply_fields["name"]), body,
                                 body, None, None))
        if messages:
            threads.append(messages)
    return hosts, threads, None


#: Message subtypes that are not conversation (the viewer's second container class): not kept.
SKIPPED_SUBTYPES = frozenset(
    "channel_join channel_leave channel_topic channel_purpose channel_name channel_archive channel_unarchive "
    "group_join group_leave group_topic group_purpose group_name group_archive group_unarchive bot_add "
    "bot_remove pinned_item unpinned_item reminder_add sh_room_created joiner_notification "
    "channel_convert_to_private channel_convert_to_public".split())


HTML_SPACES = re.compile(r"\s+")


def _inner_html(element) -> str:
    """The markup inside an element, as in the page (re-serialised by libxml2), trimmed."""
    inner = html.escape(element.text or "", quote=False)
    inner += "".join(lxml.html.tostring(child, encoding="unicode", method="html") for child in element)
    return inner.strip()


def _text_of(element) -> str:
    """Text as a reader sees it: whitespace runs as one space, `<br>` as a line break, code in backticks."""
    parts: list[str] = []

    def walk(node) -> None:
        if node.text:
            parts.append(HTML_SPACES.sub(" ", node.text))
        for child in node:
            if child.tag == "br":
                parts.append("\n")
            elif child.tag == "code":
                parts.append("`" + child.text_content() + "`")
            else:
                walk(child)
            if child.tail:
                parts.append(HTML_SPACES.sub(" ", child.tail))

    walk(element)
    return "\n".join(line.strip(" ") for line in "".join(parts).split("\n")).strip()


def read_slack_html(path: Path) -> tuple[list[str], list[list[tuple]], str | None]:
    """Threads of slack-export-viewer messages; a `reply` joins the thread before it. A message's key
    is its time (`#n` added when several share it), its raw text the markup inside `div.msg`."""
    tree = lxml.html.parse(str(path))
    threads: list[list[tuple]] = []
    key_uses: dict[str, int] = {}
    for container in tree.iter("div"):
        classes = (container.get("class") or "").split()
        if "message-container" not in classes or not SKIPPED_SUBTYPES.isdisjoint(classes):
            continue
        body = user = when = paragraph = None
        for div in container.iter("div"):
            classes = (div.get("class") or "").split()
            if body is None and ("message" in classes or "reply" in classes):
                body = div
            elif user is None and "username" in classes:
                user = div
            elif when is None and "time" in classes:
                when = div
            elif paragraph is None and "msg" in classes:
                paragraph = div.find("p")
        if body is None or user is None:
            continue
        msg = paragraph.getparent() if paragraph is not None else None
        raw = _inner_html(msg) if msg is not None else ""
        text = _text_of(paragraph) if paragraph is not None else ""
        is_reply = "reply" in (body.get("class") or "").split()
        if is_reply:
            text = text.removeprefix("Thread Reply:").lstrip()
        sent = None
        if when is not None:
            try:
                sent = datetime.strptime(when.text_content().strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
            except ValueError:
                sent = None
        author = user.text_content().strip()
        key = sent.strftime("%Y-%m-%dT%H:%M:%SZ") if sent else "no-time"
        uses = key_uses.get(key, 0)
        key_uses[key] = uses + 1
        if uses:
            key += f"#{uses}"
        if is_reply and threads:
            thread = threads[-1]
            thread.append((key, thread[0][0], container.sourceline, author, raw, text, sent, None))
        else:
            threads.append([(key, None, container.sourceline, author, raw, text, sent, None)])
    return [], threads, None


_USERS: dict[str, dict[str, str]] = {}
MENTION = re.compile(r"<@([A-Z0-9]+)>")
SLACK_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")


def users(export: Path) -> dict[str, str]:
    """User id to name (`display_name`, then `real_name`, then `name`), read once per process."""
    key = str(export)
    if key not in _USERS:
        table = {}
        for user in orjson.loads((export / "users.json").read_bytes()):
            profile = user.get("profile") or {}
            table[user["id"]] = profile.get("display_name") or profile.get("real_name") or user.get("real_name") \
                or user.get("name") or user["id"]
        _USERS[key] = table
    return _USERS[key]


JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def object_lines(data: bytes) -> list[int]:
    """The 1-based line of the `{` of every object directly inside the file's top-level array, in order
    (orjson reports no positions, so strings are skipped and brackets counted with a regular expression)."""
    lines: list[int] = []
    depth, line, counted = 0, 1, 0
    for match in JSON_TOKEN.finditer(data):
        byte = data[match.start()]
        if byte == 0x22:  # a string
            continue
        if byte == 0x7B and depth == 1:
            line += data.count(b"\n", counted, match.start())
            counted = match.start()
            lines.append(line)
        depth += 1 if byte in (0x5B, 0x7B) else -1
    return lines


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, micros = ts.partition(".")
    return int(seconds), int(micros or 0)


def read_slack_json(path: Path) -> tuple[list[str], list[list[tuple]], str | None]:
    """One channel folder of a native export: threads by `thread_ts` across all day files, mentions
    resolved, `<url|label>` as `[label](url)`. A message's source_file is its day file, its
    source_line the line of its `{` there."""
    names = users(path.parent)
    root = path.parent.parent
    messages = []
    for day in sorted(path.glob("*.json")):
        file = str(day.relative_to(root))
        data = day.read_bytes()
        lines = iter(object_lines(data))
        for m in orjson.loads(data):
            if isinstance(m, dict):
                line = next(lines, None)
                if "ts" in m and m.get("subtype") not in SKIPPED_SUBTYPES:
                    messages.append((file, line, m))
    messages.sort(key=lambda item: _ts_key(item[2]["ts"]))
    threads: dict[str, list[tuple]] = {}
    order: list[str] = []
    for file, line, message in messages:
        ts = message["ts"]
        parent = message.get("thread_ts")
        user = message.get("user")
        author = names.get(user, user) if user else message.get("username") or message.get("bot_id") or ""
        raw = message.get("text") or ""
        text = MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), raw)
        text = SLACK_LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})" if m.group(2) else m.group(1), text)
        sent = datetime.fromtimestamp(_ts_key(ts)[0], timezone.utc).replace(microsecond=_ts_key(ts)[1])
        if parent and parent != ts and parent in threads:
            threads[parent].append((ts, parent, line, author, raw, text, sent, file))
        else:
            threads[ts] = [(ts, None, line, author, raw, text, sent, file)]
            order.append(ts)
    return [], [threads[ts] for ts in order], None


READERS = {"markdown": read_markdown, "slack_html": read_slack_html, "slack_json": read_slack_json}

# ------------------------------------------------------------------------------------------ worker

SETTINGS: dict = {}


def _init(settings: dict) -> None:
    SETTINGS.update(settings)


def process(task: tuple[str, str, str, str]) -> tuple[bytes, bytes, pa.RecordBatch | None, int, str | None]:
    """One input file to (JSON Lines bytes, CSV text, Arrow batch, rows, reject) for the messages table."""
    source, path, relative, document = task
    transforms = SETTINGS["transforms"]
    hosts, threads, reject = READERS[source](Path(path))
    normalise = "normalise_authors" in transforms
    authors = Authors([m[3] for thread in threads for m in thread], hosts) if normalise else None
    rows = []
    for thread in threads:
        ids = {key: message_id(source, document, key) for key, *_ in thread}
        thread_id = ids[thread[0][0]]
        for position, (key, parent, line, author_raw, text_raw, text, sent, file) in enumerate(thread):
            if authors:
                author_id, author, is_host = authors.resolve(author_raw)
            else:
                author = " ".join(author_raw.split())
                author_id, is_host = plain_slug(author), False
            if "clean_text" in transforms:
                text = clean_text(text, decode=source != "slack_html")
            if "clean_emoji" in transforms:
                text = clean_emoji(text)
            rows.append([ids[key], thread_id, ids.get(parent) if parent else None, position, document, source,
                         file or relative, line, author_id, author, author_raw, is_host,
                         text, text_raw, sent, len(thread) - 1 if position == 0 else 0])
    formats = SETTINGS["formats"]
    jsonl = b""
    if "jsonl" in formats:
        jsonl = b"".join(orjson.dumps(dict(zip(COLUMNS, row)), option=orjson.OPT_UTC_Z) + b"\n" for row in rows)
    batch = None
    if rows and ("parquet" in formats or "csv" in formats):
        batch = pa.RecordBatch.from_arrays(
            [pa.array(column, type=field.type) for column, field in zip(zip(*rows), SCHEMA)], schema=SCHEMA)
    text_csv = b""
    if "csv" in formats and batch is not None:
        # Arrow's CSV writer quotes every string and leaves nulls empty: null and "" stay distinct.
        seconds = pc.cast(batch.column(SENT_AT), pa.timestamp("s", tz="UTC"), safe=False)
        iso = pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%SZ")
        buffer = pa.BufferOutputStream()
        pa_csv.write_csv(batch.set_column(SENT_AT, "sent_at", iso), buffer,
                         pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
        text_csv = buffer.getvalue().to_pybytes()
    return jsonl, text_csv, batch if "parquet" in formats else None, len(rows), reject


# -------------------------------------------------------------------------------------------- main


def plan(corpus: Path, sources: list[str]) -> list[tuple[str, str, str, str]]:
    """Input files as (source, path, path relative to the corpus, document id), in threadline's order:
    by document id, except that an export's channels are placed together by the export's path."""
    tasks = []
    if "markdown" in sources:
        for path in (corpus / "books").glob("*.md"):
            tasks.append(("markdown", str(path), str(path.relative_to(corpus)), path.stem))
    if "slack_html" in sources:
        for path in (corpus / "slack-html" / "channel").glob("*/index.html"):
            tasks.append(("slack_html", str(path), str(path.relative_to(corpus)), path.parent.name))
    if "slack_json" in sources:
        for path in (corpus / "slack-export").iterdir():
            if path.is_dir():
                tasks.append(("slack_json", str(path), str(path.relative_to(corpus)), path.name))
    return sorted(tasks, key=lambda t: (str(Path(t[2]).parent) if t[0] == "slack_json" else t[3], t[0], t[2]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder made by make_corpus.py")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    parser.add_argument("--row-group", type=int, default=128 * 1024, help="Parquet rows per row group")
    args = parser.parse_args()

    settings = json.loads((args.corpus / "comparator.json").read_text(encoding="utf-8"))
    corpus = Path(settings["input_root"])
    formats = settings["formats"]
    tasks = plan(corpus, settings["sources"])
    args.out.mkdir(parents=True, exist_ok=True)
    final = {fmt: args.out / f"messages.{fmt}" for fmt in formats}
    staged = {fmt: path.with_name(path.name + ".tmp") for fmt, path in final.items()}

    jsonl = open(staged["jsonl"], "wb") if "jsonl" in formats else None
    text_csv = open(staged["csv"], "wb") if "csv" in formats else None
    parquet = pq.ParquetWriter(staged["parquet"], SCHEMA, compression="zstd", compression_level=3) if "parquet" in formats else None
    if text_csv:
        text_csv.write((",".join(f'"{c}"' for c in COLUMNS) + "\n").encode())
    pending: list[pa.RecordBatch] = []
    pending_rows = total_rows = rejects = 0
    with multiprocessing.Pool(args.jobs, initializer=_init, initargs=(settings,)) as pool:
        for lines, csv_text, batch, rows, reject in pool.imap(process, tasks, chunksize=2):
            if reject:
                rejects += 1
            total_rows += rows
            if jsonl:
                jsonl.write(lines)
            if text_csv:
                text_csv.write(csv_text)
            if parquet and batch is not None:
                pending.append(batch)
                pending_rows += rows
                if pending_rows >= args.row_group:
                    # Whole row groups only; the remainder waits for the next files.
                    table = pa.Table.from_batches(pending)
                    parquet.write_table(table.slice(0, args.row_group), row_group_size=args.row_group)
                    rest = table.slice(args.row_group)
                    pending, pending_rows = rest.to_batches(), rest.num_rows
    if parquet:
        if pending:
            parquet.write_table(pa.Table.from_batches(pending), row_group_size=args.row_group)
        parquet.close()
    for handle in (jsonl, text_csv):
        if handle:
            handle.close()
    for fmt in formats:
        os.replace(staged[fmt], final[fmt])
    print(f"comparator: {len(tasks)} files, {total_rows} messages, {rejects} files rejected", file=sys.stderr)


if __name__ == "__main__":
    main()
