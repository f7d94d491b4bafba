from django.db import migrations

from inventory.db import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]

    operations = [
        # Byte-wise collation makes the natural-sort key order correctly whatever
        # the database locale is, and lets btree indexes serve LIKE 'prefix%'.
        PostgresOnlySQL(
            sql=[
                'ALTER TABLE units_unit ALTER COLUMN serial_key TYPE text COLLATE "C"',
                'ALTER TABLE units_unit ALTER COLUMN serial_sort TYPE text COLLATE "C"',
            ],
            reverse_sql=[
                'ALTER TABLE units_unit ALTER COLUMN serial_key TYPE text COLLATE "default"',
                'ALTER TABLE units_unit ALTER COLUMN serial_sort TYPE text COLLATE "default"',
            ],
        ),
        # Substring search (serial_key LIKE '%text%') uses this trigram index.
        PostgresOnlySQL(
            sql=[
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                "CREATE INDEX unit_serial_key_trgm ON units_unit USING gin (serial_key gin_trgm_ops)",
            ],
            reverse_sql=[
                "DROP INDEX IF EXISTS unit_serial_key_trgm",
            ],
        ),
    ]
