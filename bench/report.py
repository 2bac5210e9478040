"""What every benchmark's report shares: its section of bench/BENCHMARKS.md, the machine."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from config import database_url

BENCHMARKS = Path(__file__).resolve().parent / "BENCHMARKS.md"


def record(name: str, section_text: str) -> Path:
    """Replace the section `name` of BENCHMARKS.md (between its markers), keeping everything
    else, hand-written notes included; a new section goes at the end."""
    begin, end = f"<!-- bench.{name}:begin -->", f"<!-- bench.{name}:end -->"
    section = f"{begin}\n{section_text.rstrip()}\n{end}"
    current = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        updated = head + section + rest.split(end, 1)[1]
    else:
        updated = current.rstrip("\n") + "\n\n" + section + "\n"
    BENCHMARKS.write_text(updated)
    return BENCHMARKS


def measured_at() -> str:
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"


def machine(url: str) -> str:
    """Cores, CPU model, Python and Postgres versions, and how busy the machine is."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{len(os.sched_getaffinity(0))} cores (`nproc`), {cpu_model()}, "
        f"Python {platform.python_version()}, {postgres_version(url)}; "
        f"load average (1, 5, 15 min) at the end: {load}"
    )


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def postgres_version(url: str) -> str:
    engine = create_engine(database_url(url))
    try:
        with engine.connect() as connection:
            version = str(connection.execute(text("SHOW server_version")).scalar())
    finally:
        engine.dispose()
    return f"PostgreSQL {version.split()[0]}"


def verdict(met: bool) -> str:
    return "met" if met else "**NOT met**"
