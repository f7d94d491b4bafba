from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from inventory import signals  # noqa: F401 - registers the receivers
