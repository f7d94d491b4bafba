from django.urls import path

app_name = "service"

# Filled in by the service order pages.
urlpatterns: list = []
