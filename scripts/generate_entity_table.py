#!/usr/bin/env python3
"""Generates Sources/ThreadlineText/Entities/HTMLEntityTable.swift.

The source is Python's `html.entities.html5`, a copy of the WHATWG HTML Standard's
list of named character references. Only the names that end in `;` are kept:
threadline decodes an entity only when it is terminated, so `&copy=1` in a URL stays
as it is. Run from the repository root with any Python 3:

    python3 scripts/generate_entity_table.py

The output is deterministic (names sorted), so regenerating with the same Python
version gives a byte-identical file.
"""

import html.entities
import platform
from pathlib import Path

OUTPUT = Path("Sources/ThreadlineText/Entities/HTMLEntityTable.swift")


def main():
    names = sorted(name for name in html.entities.html5 if name.endswith(";"))
    lines = []
    for name in names:
        value = html.entities.html5[name]
        code_points = "-".join(f"{ord(c):X}" for c in value)
        lines.append(f"{name[:-1]};{code_points}")
    body = "\n".join(lines)
    OUTPUT.write_text(
        f"""// GENERATED FILE: do not edit. Regenerate with:
//     python3 scripts/generate_entity_table.py
//
// Source: Python {platform.python_version()} `html.entities.html5` ({len(names)} names ending in `;`),
// a copy of the named character references of the WHATWG HTML Living Standard
// (https://html.spec.whatwg.org/multipage/named-characters.html), which is
// licensed under CC BY 4.0, copyright WHATWG (Apple, Google, Mozilla, Microsoft).

extension HTMLEntities {{
    /// The named character references, one per line: the name without `&` and `;`,
    /// then `;`, then the hexadecimal code points joined with `-`.
    static let source = \"\"\"
{body}
\"\"\"
}}
""",
        encoding="utf-8",
    )
    print(f"wrote {OUTPUT}: {len(names)} entities")


if __name__ == "__main__":
    main()
