"""manage.py import_units FILE: import serialized units from a CSV export."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from units.importing.mapping import SourceFormat
from units.importing.report import report_lines
from units.importing.services import ImportFileError, ImportOptions, import_units
from units.importing.values import DateOrder


class Command(BaseCommand):
    help = (
        "Import serialized units from a CSV file (Snipe-IT asset export, InvenTree stock "
        "export or the generic format). All rows or none are stored unless --skip-bad-rows "
        "is given; see docs/import.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV file.")
        parser.add_argument(
            "--format",
            choices=[f.value for f in SourceFormat],
            default=SourceFormat.AUTO.value,
            help="Source format of the file; 'auto' detects it from the header (default).",
        )
        parser.add_argument(
            "--user",
            help="Username recorded in the history as the importing user; needed unless --dry-run.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; store nothing."
        )
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="Store the good rows and list the bad ones, instead of storing nothing.",
        )
        parser.add_argument(
            "--encoding",
            default="",
            help="Character encoding of the file, e.g. cp1252; detected when omitted.",
        )
        parser.add_argument(
            "--date-order",
            choices=[order.value for order in DateOrder],
            default=None,
            help="How to read slash dates such as 4/5/16: mdy (month first, default) or dmy.",
        )
        parser.add_argument(
            "--location", default="", help="Code of an existing location for rows that name none."
        )
        parser.add_argument(
            "--supplier", default="", help="Supplier for rows that name none; created when missing."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        actor = self._user(options["user"], dry_run=options["dry_run"])
        data = self._read(path)
        import_options = ImportOptions(
            source_format=SourceFormat(options["format"]),
            encoding=options["encoding"],
            date_order=DateOrder(options["date_order"]) if options["date_order"] else None,
            skip_bad_rows=options["skip_bad_rows"],
            location_code=options["location"],
            supplier_name=options["supplier"],
        )
        try:
            report = import_units(
                actor=actor,
                data=data,
                filename=path.name,
                options=import_options,
                dry_run=options["dry_run"],
            )
        except ImportFileError as error:
            raise CommandError(f"{path.name}: {error}") from None
        for line in report_lines(report):
            self.stdout.write(line)
        if report.rejected:
            raise CommandError(
                f"{len(report.bad_rows)} rows have errors, so nothing was stored. Fix them, or "
                "run again with --skip-bad-rows to store the other rows."
            )

    def _user(self, username: str | None, *, dry_run: bool):
        if not username:
            if dry_run:
                return None
            raise CommandError("Name the importing user with --user USERNAME.")
        user_model = get_user_model()
        try:
            return user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f"User {username!r} was not found.") from None

    def _read(self, path: Path) -> bytes:
        try:
            size = path.stat().st_size
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        if size > settings.IMPORT_MAX_BYTES:
            raise CommandError(
                f"{path.name} is {size:,} bytes; the maximum is {settings.IMPORT_MAX_BYTES:,} "
                "bytes (setting IMPORT_MAX_BYTES). Split the file."
            )
        return path.read_bytes()
