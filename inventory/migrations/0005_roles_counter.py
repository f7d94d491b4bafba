from django.db import migrations


def sync(apps, schema_editor):
    from inventory.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0004_counter_sales"),
        ("units", "0003_counter_sales"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
