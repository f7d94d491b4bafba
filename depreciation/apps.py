from django.apps import AppConfig


class DepreciationConfig(AppConfig):
    name = "depreciation"

    def ready(self) -> None:
        # Registers the depreciation-run job handler with inventory.jobs, also in
        # a worker process that never loads the URL configuration.
        from depreciation import books  # noqa: F401
