from django.db import migrations


def sync(apps, schema_editor):
    from inventory.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("depreciation", "0003_books"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
