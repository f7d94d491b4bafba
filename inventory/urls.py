from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from inventory import health, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("catalog/", include("inventory.catalog_urls")),
    path("units/", include("units.urls")),
    path("service/", include("service.urls")),
    path("admin/", admin.site.urls),
    path("health/live/", health.live, name="health-live"),
    path("health/ready/", health.ready, name="health-ready"),
]
