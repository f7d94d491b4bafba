from django.apps import AppConfig


class DepreciationConfig(AppConfig):
    name = "depreciation"
