from django.urls import path

from service import views

app_name = "service"

urlpatterns = [
    path("", views.order_list, name="order-list"),
    path("orders/new/", views.order_create, name="order-create"),
    path("orders/<int:pk>/", views.order_detail, name="order-detail"),
    path("orders/<int:pk>/status/", views.order_change_status, name="order-change-status"),
    path("orders/<int:pk>/collect/", views.order_collect, name="order-collect"),
    path("orders/<int:pk>/update/", views.order_update, name="order-update"),
    path("orders/<int:pk>/warranty/", views.order_set_warranty, name="order-set-warranty"),
    path("orders/<int:pk>/labour/", views.labour_add, name="labour-add"),
    path(
        "orders/<int:pk>/labour/<int:line_pk>/delete/",
        views.labour_delete,
        name="labour-delete",
    ),
    path("orders/<int:pk>/parts/stock/", views.stock_part_add, name="stock-part-add"),
    path("orders/<int:pk>/parts/unit/", views.unit_part_add, name="unit-part-add"),
    path("orders/<int:pk>/parts/<int:line_pk>/remove/", views.part_remove, name="part-remove"),
    path("orders/<int:pk>/ticket/", views.order_ticket, name="order-ticket"),
    path("orders/<int:pk>/customer-copy/", views.order_customer_copy, name="order-customer-copy"),
    path("reports/open/", views.open_orders, name="open-orders"),
]
