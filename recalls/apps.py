from django.apps import AppConfig


class RecallsConfig(AppConfig):
    name = "recalls"

    def ready(self) -> None:
        # Registers the recall job handlers with inventory.jobs.
        from recalls import jobs  # noqa: F401
