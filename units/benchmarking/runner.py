"""Scratch databases, worker processes and the report of the benchmark command.

Each size runs in its own database and its own ``manage.py benchmark``
worker process, so settings, connections and caches never mix between sizes.
"""

import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import django
import psycopg
from django.conf import settings
from django.db import connection
from psycopg import sql

DATABASE_PREFIX = "bench_"


def size_label(size: int) -> str:
    """Return a short label for a unit count: 10000 is "10k", 1000000 is "1m"."""
    for divisor, suffix in ((1_000_000, "m"), (1_000, "k")):
        if size >= divisor and size % divisor == 0:
            return f"{size // divisor}{suffix}"
    return str(size)


def _server_settings() -> dict:
    database = settings.DATABASES["default"]
    return {
        "host": database.get("HOST") or "",
        "port": str(database.get("PORT") or ""),
        "user": database.get("USER") or "",
        "password": database.get("PASSWORD") or "",
    }


def database_url(name: str) -> str:
    """Return a DATABASE_URL for database ``name`` on the default database's server."""
    server = _server_settings()
    credentials = quote(server["user"], safe="")
    if server["password"]:
        credentials += ":" + quote(server["password"], safe="")
    port = f":{server['port']}" if server["port"] else ""
    return f"postgres://{credentials}@{server['host']}{port}/{name}"


def _admin_connection() -> psycopg.Connection:
    server = _server_settings()
    options = {key: value for key, value in server.items() if value}
    return psycopg.connect(dbname="postgres", autocommit=True, **options)


def recreate_database(name: str) -> None:
    """Drop database ``name`` if it exists and create it empty; only bench_ names."""
    if not name.startswith(DATABASE_PREFIX):
        raise ValueError(f"Cannot recreate {name!r}: only databases named bench_* are recreated.")
    with _admin_connection() as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str) -> None:
    if not name.startswith(DATABASE_PREFIX):
        raise ValueError(f"Cannot drop {name!r}: only databases named bench_* are dropped.")
    with _admin_connection() as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def database_exists(name: str) -> bool:
    with _admin_connection() as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return found is not None


def run_worker(size: int, database: str, history_per_unit: int, *, reuse: bool) -> dict:
    """Build (unless ``reuse``) and measure one size in a child process; return its result."""
    manage = Path(settings.BASE_DIR) / "manage.py"
    with tempfile.NamedTemporaryFile(suffix=".json") as result_file:
        command = [
            sys.executable,
            str(manage),
            "benchmark",
            "--worker-size",
            str(size),
            "--history",
            str(history_per_unit),
            "--worker-result",
            result_file.name,
        ]
        if reuse:
            command.append("--worker-reuse")
        environment = {**os.environ, "DATABASE_URL": database_url(database)}
        subprocess.run(command, env=environment, check=True)  # noqa: S603 - fixed argv
        return json.loads(Path(result_file.name).read_text())


# --- Machine and report -----------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def machine_summary() -> list[str]:
    """Return lines naming the date, CPU, cores, RAM and software versions."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres_version = cursor.fetchone()[0]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return [
        f"Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; "
        f"load average (1, 5, 15 min) before measuring: {load}",
        f"CPU: {_cpu_model()}, {os.cpu_count()} cores; RAM: {_memory_gib()}",
        f"PostgreSQL {postgres_version}; Python {platform.python_version()}; "
        f"Django {django.get_version()}; {platform.system()} {platform.release()}",
    ]


def _cell(value: float | int | None, note: str) -> str:
    if value is None:
        return note or "n/a"
    return f"{value:,}"


def _with_context(cell: str, figure: dict) -> str:
    """Add the load average and the rows returned, where recorded, to a time cell."""
    context = []
    if figure.get("load") is not None:
        context.append(f"load {figure['load']:.1f}")
    if figure.get("rows") is not None:
        context.append(f"{figure['rows']:,} rows")
    return f"{cell} ({'; '.join(context)})" if context else cell


def _ratio(first: float | int | None, last: float | int | None) -> str:
    if not first or last is None:
        return "n/a"
    return f"{last / first:.2f}"


def format_report(results: list[dict]) -> str:
    """Return a Markdown table of every figure per size with the last/first growth ratio."""
    labels = [size_label(result["size"]) for result in results]
    header = ["figure", *labels]
    if len(results) > 1:
        header.append(f"{labels[-1]} / {labels[0]}")
    build_row = [
        "build units + history (s)",
        *(_cell(r["build_seconds"], "reused") for r in results),
    ]
    if len(results) > 1:
        build_row.append(_ratio(results[0]["build_seconds"], results[-1]["build_seconds"]))
    rows = [build_row]
    names = [figure["name"] for figure in results[0]["figures"]]
    for index, name in enumerate(names):
        figures = [result["figures"][index] for result in results]
        for key, unit in (("median_ms", "ms"), ("queries", "queries")):
            row = [f"{name} ({unit})", *(_cell(f[key], f["note"]) for f in figures)]
            if key == "median_ms":
                row[1:] = [_with_context(cell, f) for cell, f in zip(row[1:], figures, strict=True)]
            if len(results) > 1:
                row.append(_ratio(figures[0][key], figures[-1][key]))
            rows.append(row)
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


_SELECT_LIST = re.compile(r"^SELECT .*? FROM ", re.DOTALL)


def _shorten(statement: str) -> str:
    """Drop the column list of a SELECT, which is long and shows little about its cost."""
    return _SELECT_LIST.sub("SELECT ... FROM ", statement, count=1)[:600]


def format_queries(result: dict) -> str:
    """Return the slowest and the repeated queries of each page request of one size."""
    lines = []
    for figure in result["figures"]:
        for milliseconds, statement in figure["slowest"]:
            lines.append(f"- {figure['name']}, {milliseconds} ms: `{_shorten(statement)}`")
        for count, statement in figure["repeated"]:
            lines.append(f"- {figure['name']}, run {count} times: `{_shorten(statement)}`")
    return "\n".join(lines)


def format_plans(result: dict) -> str:
    """Return the EXPLAIN (ANALYZE, BUFFERS) output of each planned query of one size."""
    blocks = []
    for name, plan in result.get("plans", {}).items():
        blocks.append(f"{name}:\n\n```\n{plan}\n```")
    return "\n\n".join(blocks)
