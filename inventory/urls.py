from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from inventory import health, job_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("catalog/", include("inventory.catalog_urls")),
    path("units/", include("units.urls")),
    path("service/", include("service.urls")),
    path("assets/", include("depreciation.urls")),
    path("recalls/", include("recalls.urls")),
    path("jobs/<int:pk>/", job_views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/retry/", job_views.job_retry_view, name="job-retry"),
    path("jobs/<int:pk>/download/", job_views.job_download, name="job-download"),
    path("admin/", admin.site.urls),
    path("health/live/", health.live, name="health-live"),
    path("health/ready/", health.ready, name="health-ready"),
]
