#!/usr/bin/env python3
"""The Python pipeline threadline is measured against: what a competent data engineer would write.

It reads the same corpus as the benchmark's `pipeline.yaml` (settings in the corpus's `comparator.json`,
written by make_corpus.py) and writes the same messages table (docs/tables.md's 18 columns, in order)
as JSON Lines, CSV and zstd Parquet, doing the same work per message:

- markdown: front matter split off, parsed with PyYAML's C loader (`compose` with `CSafeLoader`, so
  every message keeps its source line, as threadline's does);
- slack_html: slack-export-viewer pages parsed with lxml (libxml2), messages selected by class
  (join/leave-style subtypes skipped, `bot_message` marking a bot), replies linked to the message
  before them, times read as UTC, the markup inside `div.msg` kept as `text_raw`, and the text in
  threadline's text form (docs/tables.md: links as `[label](url)`, `**bold**`, code in backticks,
  Slack tokens the viewer left as `@name`, `#channel`); a channel's document is `slack_html:name`;
- slack_json: a native export's channel folders read with orjson, threads grouped by `thread_ts`
  across day files, the mrkdwn in the same text form (`*x*` as `**x**`, mentions resolved from
  `users.json`, Slack links as markdown links, Slack's escapes decoded once), bots marked; a
  channel's document is `slack_json:name`;
- clean_text: `html.unescape` (markdown only: the Slack sources decoded theirs), Unicode NFC,
  non-breaking spaces to spaces, line endings to `\\n`, trailing whitespace trimmed; clean_emoji:
  Slack `:codes:` (with skin tones and the viewer's mangled forms) through the `emoji` package's
  alias table, unknown codes kept, codes inside code, Slack tokens and URLs left alone (one regular
  expression finds both); normalise_authors: names folded (case, accents, punctuation, a trailing
  parenthetical) into a stable id, each document's preferred spelling shown, hosts matched;
- message_id as threadline makes it (SHA-256 over source, document and key).

Left out, as make_corpus.py's pages have none: slackdump's layout, and Slack links a page holds raw
(`<https://x|label>` unescaped, which libxml2 reads as an element whose source text lxml does not keep).

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
        ("sent_at", pa.timestamp("us", tz="UTC")), ("reply_count", pa.int32()), ("is_bot", pa.bool_()),
        ("duplicate_ids", pa.list_(pa.field("element", pa.string()))),
    ]
])
COLUMNS = SCHEMA.names
SENT_AT = COLUMNS.index("sent_at")
DUPLICATE_IDS = COLUMNS.index("duplicate_ids")

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
# A code, or a span whose codes stay as they are (as clean_emoji skips them): a fence of three or
# more backticks up to the next run of at least as many; `` up to the next run of exactly two on its
# line; a single backtick up to the next backtick on its line (a run that nothing closes is text); a
# `<…>` token (`<` and a letter, `/`, `@`, `#` or `!`, up to the first `>` on the line), or a URL (up
# to whitespace, `<`, `>`, `"`, a backtick or an unbalanced `)`). Runs of backticks are matched whole.
TONE = r"skin[-_]?tone[-_]?([2-6])"  # `skin-tone-3`, and the viewer's `skin_tone_3` and `skintone3`
CODE_SPAN = (
    r"(?<!`)(?P<fence>`{3,})(?!`).*?(?P=fence)`*"
    r"|(?<!`)``(?!`)(?:[^`\n]|`{3,}(?!`)|(?<!`)`(?!`))*?(?<!`)``(?!`)"
    r"|(?<!`)`(?!`)[^`\n]*`"
)
EMOJI_CODE = re.compile(
    r"(?P<span>" + CODE_SPAN + r"|<[A-Za-z/@#!][^>\n]*>|(?<=[A-Za-z])://(?:[^\s<>\"`()]|\([^\s<>\"`()]*\))*)"
    r"|(?<![A-Za-z0-9]):(?P<name>[a-z0-9_+\-]{1,60}):(?::" + TONE.replace("([2-6])", "(?P<tone>[2-6])") + r":)?(?![A-Za-z0-9])",
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
        start, name = match.start(), match.group("name")
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
        if match.group("tone"):
            char += chr(0x1F3FB + int(match.group("tone")) - 2)
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


def read_markdown(path: Path) -> tuple[list[str], list[list[tuple]], str | None, str | None]:
    """(hosts, threads of (key, parent_key, line, author_raw, text_raw, text, sent_at, file, is_bot),
    reject reason, channel); `file` is None where it is the input file itself, `channel` None where
    the document id is the one `plan` gives."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return [], [], "no front matter", None
    end = text.find("\n---", 3)
    if end < 0:
        return [], [], "front matter is not closed", None
    try:
        root = yaml.compose(text[3:end], Loader=CSafeLoader)
    except yaml.YAMLError as error:
        return [], [], f"invalid YAML in front matter: {error}", None
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
            messages.append((key, None, entry.start_mark.line + 1, _scalar(fields["name"]), body, body, None, None,
                             False))
        replies = fields.get("replies")
        for r, reply in enumerate(replies.value if isinstance(replies, yaml.SequenceNode) else []):
            reply_fields = _mapping(reply)
            if _scalar(reply_fields.get("name")):
                body = _scalar(reply_fields.get("text")) or ""
                messages.append((f"{key}.r{r}", key, reply.start_mark.line + 1, _scalar(reply_fields["name"]), body,
                                 body, None, None, False))
        if messages:
            threads.append(messages)
    return hosts, threads, None, None


#: Message subtypes that are not conversation (the viewer's second container class): not kept.
SKIPPED_SUBTYPES = frozenset(
    "channel_join channel_leave channel_topic channel_purpose channel_name channel_archive channel_unarchive "
    "group_join group_leave group_topic group_purpose group_name group_archive group_unarchive bot_add "
    "bot_remove pinned_item unpinned_item reminder_add sh_room_created joiner_notification "
    "channel_convert_to_private channel_convert_to_public".split())


HTML_WS = " \t\n\r\f"
HTML_WS_RUN = re.compile(r"[ \t\n\r\f]+")
# A whitespace run with a line break, tab or form feed in it: the page's layout, one space.
LAYOUT_RUN = re.compile(r"[ \t\n\r\f]*[\t\n\r\f][ \t\n\r\f]*")
BLOCK_TAGS = frozenset("p div h1 h2 h3 h4 h5 h6 table tr hr section article header footer dl dt dd figure figcaption "
                       "address".split())
SKIPPED_TAGS = frozenset("script style template head title".split())
SKIPPED_CLASSES = frozenset(("message-reaction", "message-upload", "message-attachment"))
LINK_SCHEMES = frozenset(("http", "https", "mailto", "ftp", "tel", "slack"))
SLACK_TOKEN = re.compile(r"<([^<>\n]+)>")
VIEWER_TONE = re.compile(r":skin_tone_([2-6]):")


def _classes(element) -> list[str]:
    return HTML_WS_RUN.split((element.get("class") or "").strip(HTML_WS))


def _same_text(a: str, b: str) -> bool:
    """Equal, or canonically equivalent where either is not ASCII."""
    return a == b or (not (a.isascii() and b.isascii())
                      and unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b))


SLACK_ESCAPE = re.compile(r"&(amp|lt|gt);")
SLACK_ESCAPES = {"amp": "&", "lt": "<", "gt": ">"}


def _slack_unescape(text: str) -> str:
    """Slack's three escapes decoded once; any other `&` is what the author typed."""
    return SLACK_ESCAPE.sub(lambda m: SLACK_ESCAPES[m.group(1)], text) if "&" in text else text


def slack_token(content: str, people: dict[str, str] | None = None, channels: dict[str, str] | None = None,
                decode: bool = False) -> str:
    """A Slack token's content (between `<` and `>`) as a reader sees it: `@name` for a user (its label,
    else its name in `people`, else the id), `#name` for a channel, `@here`, `[label](url)` (the URL
    alone when it is the label); anything else stays as it is. `decode`: Slack's escapes decoded."""
    unescape = _slack_unescape if decode else (lambda text: text)
    target, bar, label = content.partition("|")
    label = (unescape(label).strip() or None) if bar else None
    kind, rest = target[:1], target[1:]
    if kind == "@":
        return "@" + (label.removeprefix("@") if label else (people or {}).get(rest, rest))
    if kind == "#":
        return "#" + (label or (channels or {}).get(rest, rest))
    if kind == "!":
        name = rest.split("^", 1)[0]
        if name in ("here", "channel", "everyone", "group"):
            return "@" + name
        if name == "subteam":
            return "@" + (label.removeprefix("@") if label else rest[len(name) + 1:])
        return label or f"<{unescape(content)}>"
    if ":" in target and not any(c in target for c in " \t\r"):
        url = unescape(target)
        return url if label is None or label == url else f"[{label}]({url})"
    return f"<{unescape(content)}>"


class TextForm:
    """A message body's elements in threadline's text form (docs/tables.md, "The text form"): blocks
    and `<br>` as line breaks, links as `[label](url)`, `**bold**`, `_italic_`, `~struck~`, code
    verbatim in backticks, list bullets, `> ` quotes. A run of spaces is the author's and is kept;
    whitespace holding a line break or tab is the page's layout, one space (none at a line start)."""

    def __init__(self) -> None:
        self.text = ""
        self.starts: list[int] = []  # where each open buffer (link label, code, emphasis) starts
        self.spaces = 0  # whitespace seen since the last content
        self.layout = False  # ... and whether it holds a line break or tab
        self.quotes = 0
        self.verbatim = 0
        self.strong = 0
        self.lists: list[list] = []  # [ordered, next number]
        self.reply_marker = False

    # -- the text, with pending whitespace and buffers

    def _last(self) -> str | None:
        start = self.starts[-1] if self.starts else 0
        return self.text[-1] if len(self.text) > start else None

    def _pending(self) -> None:
        self.text += " " if self.layout else " " * self.spaces

    def write(self, content: str) -> None:
        if not content:
            return
        last = self._last()
        if not self.starts and (last is None or last == "\n"):
            if self.quotes:
                self.text += "> " * self.quotes
            if last is not None and self.spaces and not self.layout:
                self._pending()
        elif self.spaces and last is not None and last != "\n":
            self._pending()
        self.spaces, self.layout = 0, False
        self.text += content

    def characters(self, run: str) -> None:
        if self.verbatim:
            self.text += run
            return
        words = run.lstrip(HTML_WS)
        if len(words) < len(run):
            self._add_pending(run[:len(run) - len(words)])
        if not words:
            return
        core = words.rstrip(HTML_WS)
        self.write(LAYOUT_RUN.sub(" ", core))
        if len(core) < len(words):
            self._add_pending(words[len(core):])

    def _add_pending(self, whitespace: str) -> None:
        self.spaces += len(whitespace)
        if not self.layout and whitespace.strip(" "):
            self.layout = True

    def push(self) -> None:
        last = self._last()
        if self.spaces and last is not None and last != "\n":
            self._pending()
        self.spaces, self.layout = 0, False
        self.starts.append(len(self.text))

    def pop(self) -> str:
        start = self.starts.pop()
        content = self.text[start:]
        self.text = self.text[:start]
        return content

    def line_start(self) -> None:
        if self.verbatim:
            return
        self.spaces, self.layout = 0, False
        last = self._last()
        if last is not None and last != "\n":
            self.text += "\n"

    def wrap(self, content: str, marker: str) -> None:
        if content:
            self.write(marker + content + marker)

    # -- the elements

    def render(self, element) -> None:
        """The element's content: its text, its children and their tails."""
        if element.text:
            self.characters(element.text)
        for child in element:
            if isinstance(child.tag, str):
                self.element(child)
            if child.tail:
                self.characters(child.tail)

    def element(self, el) -> None:
        tag = el.tag
        if tag in SKIPPED_TAGS or (tag == "div" and not SKIPPED_CLASSES.isdisjoint(_classes(el))):
            return  # reactions, uploads, attachment cards: not the text
        if tag == "br":
            if self.verbatim:
                self.text += "\n"
            else:
                self.spaces, self.layout = 0, False
                self.text += "\n"
            self.render(el)
        elif tag == "img":
            self.write(el.get("alt") or "")
            self.render(el)
        elif tag == "a":
            self.push()
            self.render(el)
            label = self.pop().strip(HTML_WS)
            href = el.get("href")
            self.write(self._link(href, label) if href else label)
        elif tag in ("code", "pre") and not self.verbatim:
            block = tag == "pre"
            if block:
                self.line_start()
            self.push()
            self.verbatim += 1
            self.render(el)
            self.verbatim -= 1
            content = self.pop()
            if content:
                fence = "```" if block or "\n" in content.replace("\r\n", "") else "`"
                self.write(fence + content + fence)
                if block:
                    self.line_start()
        elif tag in ("code", "pre"):
            self.verbatim += 1
            self.render(el)
            self.verbatim -= 1
        elif tag in ("em", "i"):
            self.push()
            self.render(el)
            self.wrap(self.pop(), "_")
        elif tag in ("strong", "b"):
            outermost = self.strong == 0
            if outermost:
                self.push()
            self.strong += 1
            self.render(el)
            self.strong -= 1
            if outermost:
                first = self.starts[-1] == 0
                content = self.pop()
                if first and content == "Thread Reply:":
                    self.reply_marker = True  # the viewer's reply marker: not the message's text
                    self.spaces, self.layout = 0, False
                elif len(content) > 1 and content[0] == "#" and not any(c in HTML_WS for c in content):
                    self.write(content)  # how the viewer shows a channel name
                else:
                    self.wrap(content, "**")
        elif tag in ("s", "del", "strike"):
            self.push()
            self.render(el)
            self.wrap(self.pop(), "~")
        elif tag == "blockquote":
            self.line_start()
            self.quotes += 1
            self.render(el)
            self.quotes -= 1
            self.line_start()
        elif tag in ("ul", "ol"):
            self.line_start()
            self.lists.append([tag == "ol", 1])
            self.render(el)
            self.lists.pop()
            self.line_start()
        elif tag == "li":
            self.line_start()
            bullet = "• "
            if self.lists and self.lists[-1][0]:
                bullet = f"{self.lists[-1][1]}. "
                self.lists[-1][1] += 1
            self.write("  " * max(0, len(self.lists) - 1) + bullet)
            self.render(el)
            self.line_start()
        elif tag in BLOCK_TAGS:
            self.line_start()
            self.render(el)
            self.line_start()
        else:
            self.render(el)

    @staticmethod
    def _link(href: str, label: str) -> str:
        """`[label](url)`, the URL alone when the label is the URL; a Slack link the viewer's markdown
        made a link of (`url|label` both as target and label) as that Slack link."""
        url, bar, name = href.partition("|")
        if bar and _same_text(href, label):
            scheme, colon, _ = url.partition(":")
            if colon and scheme.lower() in LINK_SCHEMES and not any(c.isspace() for c in url):
                return url if not name or name == url else f"[{name}]({url})"
        if _same_text(href, label):
            return label
        return f"[{label}]({href})" if label else href

    def finish(self) -> str:
        text = self.text
        if "<" in text:
            text = SLACK_TOKEN.sub(lambda m: slack_token(m.group(1)), text)
        if ":skin_tone_" in text:
            text = VIEWER_TONE.sub(r":skin-tone-\1:", text)
        return text.strip(HTML_WS)


def _inner_html(element) -> str:
    """The markup inside an element, as in the page (re-serialised by libxml2), trimmed."""
    inner = html.escape(element.text or "", quote=False)
    inner += "".join(lxml.html.tostring(child, encoding="unicode", method="html") for child in element)
    return inner.strip(HTML_WS)


def _shown_text(element) -> str:
    """An element's text as shown (the viewer's print-only e-mail left out), whitespace runs as one space."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and not (child.tag == "span" and "print-only" in _classes(child)):
            parts.append(_shown_text(child))
        parts.append(child.tail or "")
    return " ".join(HTML_WS_RUN.split("".join(parts).strip(HTML_WS)))


def read_slack_html(path: Path) -> tuple[list[str], list[list[tuple]], str | None, str | None]:
    """Threads of slack-export-viewer messages; a reply (`div.reply`, or a body that opens with the
    bold `Thread Reply:`) joins the thread before it. A message's key is its time (`#n` added when
    several share it), its raw text the markup inside `div.msg`, its text the body in the text form.
    Messages of a subtype that is not conversation (the container's second class) are left out, and
    so are messages without an author, a time or a body (threadline rejects them); `bot_message`
    marks a bot. The channel is the one the page's title names (`Slack Export - #general`)."""
    tree = lxml.html.parse(str(path))
    title = tree.findtext(".//title") or ""
    channel = title.rpartition("#")[2].strip(HTML_WS) if "#" in title else ""
    threads: list[list[tuple]] = []
    key_uses: dict[str, int] = {}
    for container in tree.iter("div"):
        classes = _classes(container)
        if "message-container" not in classes:
            continue
        subtype = classes[1] if len(classes) > 1 else None
        if subtype in SKIPPED_SUBTYPES:
            continue
        user = when = body = None
        is_reply = False
        for div in container.iter("div"):
            div_classes = _classes(div)
            if user is None and "username" in div_classes:
                user = div
            elif when is None and "time" in div_classes:
                when = div
            elif body is None and "msg" in div_classes:
                body = div
            elif "reply" in div_classes:
                is_reply = True
        author = _shown_text(user) if user is not None else ""
        if not author or when is None or body is None:
            continue
        try:
            sent = datetime.strptime(_shown_text(when), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        except ValueError:
            continue
        form = TextForm()
        form.render(body)
        text, raw = form.finish(), _inner_html(body)
        is_reply = is_reply or form.reply_marker
        key = sent.strftime("%Y-%m-%dT%H:%M:%SZ")
        uses = key_uses.get(key, 0)
        key_uses[key] = uses + 1
        if uses:
            key += f"#{uses}"
        is_bot = subtype == "bot_message"
        if is_reply and threads:
            thread = threads[-1]
            thread.append((key, thread[0][0], container.sourceline, author, raw, text, sent, None, is_bot))
        else:
            threads.append([(key, None, container.sourceline, author, raw, text, sent, None, is_bot)])
    return [], threads, None, channel or None


_DIRECTORIES: dict[str, tuple[dict[str, str], set[str], dict[str, str]]] = {}


def directory(export: Path) -> tuple[dict[str, str], set[str], dict[str, str]]:
    """User id to name (`display_name`, then `real_name`, then `name`, the first not blank), the ids
    of bot and app users, and channel id to name (`channels.json`, `groups.json`, `mpims.json`);
    read once per process."""
    key = str(export)
    if key not in _DIRECTORIES:
        people, bots, channels = {}, set(), {}
        for user in orjson.loads((export / "users.json").read_bytes()):
            profile = user.get("profile") or {}
            names = (profile.get("display_name"), profile.get("real_name"), user.get("real_name"), user.get("name"))
            people[user["id"]] = next((n.strip() for n in names if n and n.strip()), user["id"])
            if user.get("is_bot") or user.get("is_app_user"):
                bots.add(user["id"])
        for listing in ("channels.json", "groups.json", "mpims.json"):
            if (export / listing).exists():
                for channel in orjson.loads((export / listing).read_bytes()):
                    if channel.get("name"):
                        channels.setdefault(channel["id"], channel["name"])
        _DIRECTORIES[key] = people, bots, channels
    return _DIRECTORIES[key]


def _code_end(text: str, start: int) -> int:
    """Just past the code span or block that opens with the backtick at `start` (past the backticks
    alone when nothing closes them)."""
    ticks = len(text) - start - len(text[start:].lstrip("`"))
    closing = "```" if ticks >= 3 else "`"
    end = text.find(closing, start + ticks)
    if end < 0:
        return start + ticks
    while end < len(text) and text[end] == "`":
        end += 1
    return end


def _is_space(char: str | None) -> bool:
    return char is not None and char in " \t\n\r"


def _is_alnum(char: str | None) -> bool:
    return char is not None and char.isascii() and char.isalnum()


def mark_bold(text: str) -> str:
    """Slack's bold `*x*` as `**x**`: a `*` opens after the start, a space or punctuation and before
    a character that is not a space; it closes after one that is not a space, before the end or a
    character that is not a letter or digit, on the same line. Code and `<…>` tokens are skipped."""
    out: list[str] = []
    opened = None  # where in `out` the opening `*` is
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "`":
            end = _code_end(text, i)
            out.append(text[i:end])
            i = end
            continue
        if char == "<":
            token = SLACK_TOKEN.match(text, i)
            if token:
                out.append(token.group(0))
                i = token.end()
                continue
        elif char == "\n":
            opened = None
        elif char == "*":
            before = text[i - 1] if i else None
            after = text[i + 1] if i + 1 < n else None
            if opened is not None and before is not None and not _is_space(before) and before != "*" \
                    and not _is_alnum(after):
                out.insert(opened, "*")
                out.append("**")
                opened = None
                i += 1
                continue
            if opened is None and (before is None or _is_space(before) or (not _is_alnum(before) and before != "*")) \
                    and after is not None and not _is_space(after) and after != "*":
                opened = len(out)
        out.append(char)
        i += 1
    return "".join(out)


def mrkdwn(text: str, people: dict[str, str], channels: dict[str, str]) -> str:
    """Slack's `text` in threadline's text form: `**bold**`, tokens as `@name`, `#channel`,
    `[label](url)`, and Slack's escapes decoded once (after the tokens are read)."""
    if "*" in text:
        text = mark_bold(text)
    if "<" not in text and "&" not in text:
        return text
    parts, plain = [], 0
    for token in SLACK_TOKEN.finditer(text):
        parts.append(_slack_unescape(text[plain:token.start()]))
        parts.append(slack_token(token.group(1), people, channels, decode=True))
        plain = token.end()
    parts.append(_slack_unescape(text[plain:]))
    return "".join(parts)


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


def read_slack_json(path: Path) -> tuple[list[str], list[list[tuple]], str | None, str | None]:
    """One channel folder of a native export: threads by `thread_ts` across all day files, mentions
    resolved, `<url|label>` as `[label](url)`. A message's source_file is its day file, its
    source_line the line of its `{` there. Bot messages (`bot_message`, a `bot_id`) and messages of bot
    or app users are a bot's."""
    names, bots, channels = directory(path.parent)
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
        text = mrkdwn(raw, names, channels)
        sent = datetime.fromtimestamp(_ts_key(ts)[0], timezone.utc).replace(microsecond=_ts_key(ts)[1])
        is_bot = message.get("subtype") == "bot_message" or bool((message.get("bot_id") or "").strip()) or user in bots
        if parent and parent != ts and parent in threads:
            threads[parent].append((ts, parent, line, author, raw, text, sent, file, is_bot))
        else:
            threads[ts] = [(ts, None, line, author, raw, text, sent, file, is_bot)]
            order.append(ts)
    return [], [threads[ts] for ts in order], None, None


READERS = {"markdown": read_markdown, "slack_html": read_slack_html, "slack_json": read_slack_json}

# ------------------------------------------------------------------------------------------ worker

SETTINGS: dict = {}


def _init(settings: dict) -> None:
    SETTINGS.update(settings)


def process(task: tuple[str, str, str, str]) -> tuple[bytes, bytes, pa.RecordBatch | None, int, str | None]:
    """One input file to (JSON Lines bytes, CSV text, Arrow batch, rows, reject) for the messages table."""
    source, path, relative, document = task
    transforms = SETTINGS["transforms"]
    hosts, threads, reject, channel = READERS[source](Path(path))
    if channel:
        document = f"{source}:{channel}"
    normalise = "normalise_authors" in transforms
    authors = Authors([m[3] for thread in threads for m in thread], hosts) if normalise else None
    rows = []
    for thread in threads:
        ids = {key: message_id(source, document, key) for key, *_ in thread}
        thread_id = ids[thread[0][0]]
        for position, (key, parent, line, author_raw, text_raw, text, sent, file, is_bot) in enumerate(thread):
            if authors:
                author_id, author, is_host = authors.resolve(author_raw)
            else:
                author = " ".join(author_raw.split())
                author_id, is_host = plain_slug(author), False
            if "clean_text" in transforms:
                text = clean_text(text, decode=source == "markdown")  # the Slack sources decoded theirs
            if "clean_emoji" in transforms:
                text = clean_emoji(text)
            rows.append([ids[key], thread_id, ids.get(parent) if parent else None, position, document, source,
                         file or relative, line, author_id, author, author_raw, is_host,
                         text, text_raw, sent, len(thread) - 1 if position == 0 else 0, is_bot, []])
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
        # Lists are JSON arrays in CSV.
        lists = pa.array([orjson.dumps(row[DUPLICATE_IDS]).decode() for row in rows], type=pa.string())
        buffer = pa.BufferOutputStream()
        flat = batch.set_column(SENT_AT, "sent_at", iso).set_column(DUPLICATE_IDS, "duplicate_ids", lists)
        pa_csv.write_csv(flat, buffer, pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
        text_csv = buffer.getvalue().to_pybytes()
    return jsonl, text_csv, batch if "parquet" in formats else None, len(rows), reject


# -------------------------------------------------------------------------------------------- main


def plan(corpus: Path, sources: list[str]) -> list[tuple[str, str, str, str]]:
    """Input files as (source, path, path relative to the corpus, document id), in threadline's order:
    by document id, except that an export's channels are placed together by the export's path. A
    Slack channel's document id is its name after the source's: `slack_html:general`."""
    tasks = []
    if "markdown" in sources:
        for path in (corpus / "books").glob("*.md"):
            tasks.append(("markdown", str(path), str(path.relative_to(corpus)), path.stem))
    if "slack_html" in sources:
        for path in (corpus / "slack-html" / "channel").glob("*/index.html"):
            tasks.append(("slack_html", str(path), str(path.relative_to(corpus)), "slack_html:" + path.parent.name))
    if "slack_json" in sources:
        for path in (corpus / "slack-export").iterdir():
            if path.is_dir():
                tasks.append(("slack_json", str(path), str(path.relative_to(corpus)), "slack_json:" + path.name))
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
