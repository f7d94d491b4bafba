"""Build large synthetic data sets and time the scan, list, receiving and label paths."""

import argparse
import json
import logging
import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client

from units.benchmarking import builder, depreciation, measure, recalls, runner, scale


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--sizes {text!r} is invalid; give unit counts separated by commas, e.g. 10000,1000000"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"--sizes {text!r} needs unit counts of 1 or more.")
    return sizes


class Command(BaseCommand):
    help = (
        "Build synthetic data sets of N units with history in scratch PostgreSQL databases "
        "(bench_<size> on the default database's server), then time the scan page, the "
        "filtered unit list, receiving 1,000 serials and a 500-label PDF. PostgreSQL only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sizes",
            type=_sizes,
            default=[10_000, 1_000_000],
            help="Unit counts to build, separated by commas (default: 10000,1000000).",
        )
        parser.add_argument(
            "--history",
            type=int,
            default=5,
            help="History records per unit (default: 5).",
        )
        parser.add_argument(
            "--keep", action="store_true", help="Keep the bench_<size> databases afterwards."
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Measure bench_<size> databases kept by an earlier --keep run without rebuilding.",
        )
        parser.add_argument("--output", type=Path, help="Also write the report to this file.")
        # Internal: one worker process per size, started by the command itself.
        parser.add_argument("--worker-size", type=int, help=argparse.SUPPRESS)
        parser.add_argument("--worker-result", type=Path, help=argparse.SUPPRESS)
        parser.add_argument("--worker-reuse", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                f"The benchmark needs PostgreSQL, but DATABASE_URL points to {connection.vendor}. "
                "Set DATABASE_URL=postgres://USER@HOST:PORT/DBNAME; the benchmark creates its "
                "own bench_<size> databases on that server."
            )
        if options["history"] < 1:
            raise CommandError(f"--history is {options['history']}; give 1 or more.")
        if options["worker_size"]:
            self._work(
                options["worker_size"],
                options["history"],
                options["worker_result"],
                reuse=options["worker_reuse"],
            )
            return
        results = []
        for size in options["sizes"]:
            database = f"{runner.DATABASE_PREFIX}{runner.size_label(size)}"
            reuse = options["reuse"] and runner.database_exists(database)
            if reuse:
                self.stderr.write(f"Measuring the existing database {database} ...")
            else:
                self.stderr.write(f"Building {size:,} units in database {database} ...")
                runner.recreate_database(database)
            try:
                results.append(runner.run_worker(size, database, options["history"], reuse=reuse))
            finally:
                if not options["keep"]:
                    runner.drop_database(database)
        report = self._report(results, options["history"])
        self.stdout.write(report)
        if options["output"]:
            options["output"].write_text(report + "\n")

    def _work(self, size: int, history_per_unit: int, result_path: Path, *, reuse: bool) -> None:
        """Migrate this process's database, build ``size`` units and store the figures."""
        call_command("migrate", verbosity=0)
        catalog = builder.existing_catalog() if reuse else None
        build_seconds = None
        if catalog is None:
            started = time.perf_counter()
            catalog = builder.build_dataset(units=size, history_per_unit=history_per_unit)
            builder.analyze_tables()
            build_seconds = round(time.perf_counter() - started, 1)
        logging.getLogger("units.services").setLevel(logging.WARNING)
        sections = [
            lambda: measure.measure_all(catalog),
            lambda: scale.measure_all(scale_client, catalog),
            lambda: depreciation.measure_all(catalog, size),
            lambda: recalls.measure_all(catalog),
        ]
        scale_client = Client(HTTP_HOST="localhost")
        scale_client.force_login(catalog.user)
        machine = runner.machine_summary()
        plans = scale.explain_plans(catalog)
        figures = []
        for section in sections:
            # Figures without their own load average get the one before their section.
            load = scale.load_now()
            figures += [{"load": load, **figure.as_dict()} for figure in section()]
        result = {
            "size": size,
            "build_seconds": build_seconds,
            "machine": machine,
            "figures": figures,
            "plans": plans,
        }
        result_path.write_text(json.dumps(result))

    def _report(self, results: list[dict], history_per_unit: int) -> str:
        lines = [
            f"Benchmark: {history_per_unit} history records per unit; "
            f"median of {measure.REPEATS} requests per page figure.",
            *(f"{runner.size_label(r['size'])}: {r['machine'][0]}" for r in results),
            *results[-1]["machine"][1:],
            "",
            runner.format_report(results),
            "",
            f"Slowest and repeated queries of one request at {results[-1]['size']:,} units:",
            runner.format_queries(results[-1]),
            "",
            f"Query plans at {results[-1]['size']:,} units:",
            runner.format_plans(results[-1]),
        ]
        return "\n".join(lines)
