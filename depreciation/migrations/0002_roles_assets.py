from django.db import migrations


def sync(apps, schema_editor):
    from inventory.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("depreciation", "0001_initial"),
        ("service", "0002_roles_service"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
