from django.urls import path

from inventory import views

app_name = "catalog"

urlpatterns = [
    path("products/", views.product_list, name="product-list"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("parties/", views.party_list, name="party-list"),
    path("parties/<int:pk>/", views.party_detail, name="party-detail"),
    path("locations/", views.location_list, name="location-list"),
]
