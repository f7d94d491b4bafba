from django.urls import path

from depreciation import views, views_books

app_name = "assets"

urlpatterns = [
    path("units/<int:pk>/", views.unit_assets, name="unit-assets"),
    path("units/<int:pk>/costs/", views.unit_costs, name="unit-costs"),
    path("units/<int:pk>/costs/add/", views.cost_add, name="cost-add"),
    path("costs/<int:pk>/reverse/", views.cost_reverse, name="cost-reverse"),
    path("units/<int:pk>/put-into-service/", views.put_into_service, name="put-into-service"),
    path("units/<int:pk>/take-out/", views.take_out_of_service, name="take-out"),
    path("margins/", views.margin_report, name="margin-report"),
    path("fleet/", views.fleet_list, name="fleet"),
    path("internal-use/", views.internal_use_list, name="internal-use"),
    path("rentals/new/", views.rental_create, name="rental-create"),
    path("rentals/<int:pk>/return/", views.rental_return, name="rental-return"),
    # Depreciation books, monthly runs, disposals and reports.
    path("units/<int:pk>/books/", views_books.unit_books, name="unit-books"),
    path("units/<int:pk>/books/add/", views_books.book_add, name="book-add"),
    path("books/<int:pk>/change/", views_books.book_change, name="book-change"),
    path("units/<int:pk>/dispose/", views_books.unit_dispose, name="unit-dispose"),
    path("depreciation/runs/", views_books.run_list, name="run-list"),
    path("reports/depreciation/", views_books.report_depreciation, name="report-depreciation"),
    path("reports/register/", views_books.report_register, name="report-register"),
    path("reports/aging/", views_books.report_aging, name="report-aging"),
]
