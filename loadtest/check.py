"""Check the data after a load test. Run it through ``manage.py shell < loadtest/check.py``.

Prints one line per check with the number of violating rows, which must be 0,
and exits with status 1 when any check fails.
"""

import sys

from django.db import connection

CHECKS = {
    "units with more than one open sale line": """
        SELECT count(*) FROM (
          SELECT unit_id FROM units_saleline WHERE ended_on IS NULL
          GROUP BY unit_id HAVING count(*) > 1) AS doubled
    """,
    "units with an open sale line whose status is not sold": """
        SELECT count(*) FROM units_saleline AS line
        JOIN units_unit AS unit ON unit.id = line.unit_id
        WHERE line.ended_on IS NULL AND unit.status <> 'sold'
    """,
    "units with sale lines, sold, but no open line": """
        SELECT count(*) FROM units_unit AS unit
        WHERE unit.status = 'sold'
          AND EXISTS (SELECT 1 FROM units_saleline AS line WHERE line.unit_id = unit.id)
          AND NOT EXISTS (SELECT 1 FROM units_saleline AS line
                          WHERE line.unit_id = unit.id AND line.ended_on IS NULL)
    """,
    "serials that exist twice in one uniqueness scope": """
        SELECT count(*) FROM (
          SELECT serial_scope, serial_key FROM units_unit
          GROUP BY serial_scope, serial_key HAVING count(*) > 1) AS doubled
    """,
    "VINs or in-house tags that exist twice": """
        SELECT (SELECT count(*) FROM (SELECT vin FROM units_unit WHERE vin IS NOT NULL
                 GROUP BY vin HAVING count(*) > 1) AS v)
             + (SELECT count(*) FROM (SELECT in_house_tag FROM units_unit
                 WHERE in_house_tag IS NOT NULL GROUP BY in_house_tag HAVING count(*) > 1) AS t)
    """,
    "units without any history record": """
        SELECT count(*) FROM units_unit AS unit
        WHERE NOT EXISTS (SELECT 1 FROM units_historicalunit AS h WHERE h.id = unit.id)
    """,
    "units whose status differs from their latest history record": """
        SELECT count(*) FROM units_unit AS unit
        JOIN (SELECT DISTINCT ON (id) id, status FROM units_historicalunit
              ORDER BY id, history_date DESC, history_id DESC) AS latest ON latest.id = unit.id
        WHERE latest.status <> unit.status
    """,
    "units sold in the load test without a history record saying so": """
        SELECT count(*) FROM units_saleline AS line
        JOIN units_sale AS sale ON sale.id = line.sale_id
        WHERE sale.invoice_number LIKE 'LT-%' AND NOT EXISTS (
          SELECT 1 FROM units_historicalunit AS h
          WHERE h.id = line.unit_id AND h.status = 'sold' AND h.history_date >= sale.created_at
            - interval '1 minute')
    """,
}

COUNTS = {
    "units": "SELECT count(*) FROM units_unit",
    "history records": "SELECT count(*) FROM units_historicalunit",
    "load-test sales": "SELECT count(*) FROM units_sale WHERE invoice_number LIKE 'LT-%'",
    "load-test receipts": "SELECT count(*) FROM units_receipt WHERE reference LIKE 'LT-%'",
    "load-test units received": """
        SELECT count(*) FROM units_unit AS unit JOIN units_receipt AS receipt
          ON receipt.id = unit.receipt_id WHERE receipt.reference LIKE 'LT-%'
    """,
}

failed = False
with connection.cursor() as cursor:
    for name, statement in COUNTS.items():
        cursor.execute(statement)
        print(f"{name}: {cursor.fetchone()[0]:,}")
    for name, statement in CHECKS.items():
        cursor.execute(statement)
        violations = cursor.fetchone()[0]
        failed = failed or violations > 0
        print(f"{'FAIL' if violations else 'ok'}: {name}: {violations:,}")
    cursor.execute("SELECT count(*) FROM units_unit")
    units = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM units_historicalunit")
    history = cursor.fetchone()[0]
    print(f"{'ok' if history >= units else 'FAIL'}: history records >= units")
    failed = failed or history < units
if failed:
    sys.exit(1)
