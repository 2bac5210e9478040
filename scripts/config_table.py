"""Writes README.md's configuration table from .env.example (the one source of truth).

    .venv/bin/python scripts/config_table.py        # rewrites the table in README.md

Each group of variables in .env.example shares the comment above it; the table shows each
variable, its default and that comment.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- config:begin -->", "<!-- config:end -->"
VARIABLE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


def rows() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) for every variable in .env.example, in its order."""
    found: list[tuple[str, str, str]] = []
    comment: list[str] = []
    after_variable = False
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            if after_variable:  # a new group starts
                comment, after_variable = [], False
            comment.append(line.lstrip("# ").strip())
        elif match := VARIABLE.match(line):
            found.append((match[1], match[2], " ".join(comment)))
            after_variable = True
        else:
            comment, after_variable = [], False
    return found


def table() -> str:
    """One row per group of variables that share a comment in .env.example."""
    groups: dict[str, list[str]] = {}
    for name, default, meaning in rows():
        shown = f"`{name}={default}`" if default else f"`{name}`"
        groups.setdefault(meaning, []).append(shown)
    lines = ["| variables (and defaults) | what they do |", "|---|---|"]
    for meaning, names in groups.items():
        lines.append(f"| {'<br>'.join(names)} | {meaning.replace('|', '/')} |")
    return "\n".join(lines)


def render(readme: str) -> str:
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[:start] + "\n" + table() + "\n" + readme[end:]


if __name__ == "__main__":
    path = ROOT / "README.md"
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    print("README.md configuration table rewritten")
