from django.db import migrations


def sync(apps, schema_editor):
    from inventory.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("recalls", "0002_rma"),
        ("inventory", "0006_jobs"),
        ("depreciation", "0004_roles_books"),
        ("service", "0002_roles_service"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
