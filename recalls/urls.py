from django.urls import path

from recalls import views

app_name = "recalls"

urlpatterns = [
    path("", views.recall_list, name="recall-list"),
    path("new/", views.recall_create, name="recall-create"),
    path("<int:pk>/", views.recall_detail, name="recall-detail"),
    path("<int:pk>/edit/", views.recall_edit, name="recall-edit"),
    path("<int:pk>/criteria/new/", views.criterion_add, name="criterion-add"),
    path("<int:pk>/match/", views.recall_run_matching, name="recall-match"),
    path("<int:pk>/holds/", views.recall_place_holds, name="recall-holds"),
    path("<int:pk>/close/", views.recall_close, name="recall-close"),
    path("<int:pk>/owners.csv", views.recall_owners_csv, name="recall-owners-csv"),
    path("affected/<int:pk>/state/", views.affected_set_state, name="affected-state"),
    path("rmas/", views.rma_list, name="rma-list"),
    path("rmas/new/", views.rma_create, name="rma-create"),
    path("rmas/<int:pk>/", views.rma_detail, name="rma-detail"),
    path("rmas/<int:pk>/status/", views.rma_change_status, name="rma-status"),
    path("rmas/lines/<int:pk>/credit/", views.rma_line_credit, name="rma-line-credit"),
    path("rmas/lines/<int:pk>/replace/", views.rma_line_replace, name="rma-line-replace"),
]
