from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "units"

    def ready(self) -> None:
        # Registers the label-batch job handler with inventory.jobs.
        from units import jobs  # noqa: F401
