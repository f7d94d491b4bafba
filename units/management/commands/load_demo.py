"""Load the demo shop into an empty database."""

import logging
import os

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inventory.demo import DEFAULT_SEED, load_demo
from units.models import Unit

DEFAULT_UNITS = 5000


def _default_units() -> int:
    raw = os.environ.get("DEMO_UNITS", str(DEFAULT_UNITS))
    try:
        return int(raw)
    except ValueError:
        raise CommandError(f"DEMO_UNITS is {raw!r}; set it to a whole number of units.") from None


class Command(BaseCommand):
    help = (
        "Fill an empty database with a fictional demo shop: users for each role, "
        "catalog, customers and units with history. The demo passwords are public."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--units",
            type=int,
            default=None,
            help=f"Number of units to create (default: DEMO_UNITS, else {DEFAULT_UNITS}).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Exit successfully without loading when the database already contains units.",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Seed of the random choices."
        )

    def handle(self, *args, units: int | None, if_empty: bool, seed: int, **options) -> None:
        count = _default_units() if units is None else units
        if count < 0:
            raise CommandError(f"--units is {count}; give 0 or more units.")
        existing = Unit.objects.count()
        if existing and if_empty:
            self.stdout.write(f"The database already contains {existing} units; demo not loaded.")
            return
        if existing:
            raise CommandError(
                f"The database already contains {existing} units; load_demo fills an empty "
                "database only. Use --if-empty to skip quietly, or a fresh DATABASE_URL."
            )
        if options["verbosity"] < 2:
            # One line per status change would bury the result under thousands of lines.
            logging.getLogger("units.services").setLevel(logging.WARNING)
        load_demo(units=count, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo shop loaded with {Unit.objects.count()} units. Sign in as manager / "
                "demo-manager (demo passwords only; see docs/demo.md)."
            )
        )
