from django.urls import path

from units.views import corrections, counter, export, importing, labels, lookup, receiving

app_name = "units"

urlpatterns = [
    # Finding and viewing units.
    path("", lookup.unit_list, name="unit-list"),
    path("scan/", lookup.scan, name="scan"),
    path("export/", export.unit_export, name="unit-export"),
    path("<int:pk>/", lookup.unit_detail, name="unit-detail"),
    # Corrections.
    path("<int:pk>/change-product/", corrections.change_product, name="unit-change-product"),
    path("<int:pk>/mark-damaged/", corrections.mark_damaged, name="unit-mark-damaged"),
    path("<int:pk>/change-status/", corrections.change_status, name="unit-change-status"),
    path("<int:pk>/vin/", corrections.set_vin, name="unit-set-vin"),
    # Receiving and in-house serials.
    path("receipts/", receiving.receipt_list, name="receipt-list"),
    path("receipts/new/", receiving.receipt_create, name="receipt-create"),
    path("receipts/check-serial/", receiving.check_serial, name="receipt-check-serial"),
    path("receipts/<int:pk>/", receiving.receipt_detail, name="receipt-detail"),
    path("in-house/", receiving.in_house_create, name="in-house-create"),
    # Labels.
    path("labels/", labels.label_form, name="labels"),
    path("labels/print/", labels.label_print, name="labels-print"),
    # Import.
    path("import/", importing.import_upload, name="import"),
    # Counter: sales, returns, transfers, customer units.
    path("sales/", counter.sale_list, name="sale-list"),
    path("sales/new/", counter.sale_create, name="sale-create"),
    path("sales/<int:pk>/", counter.sale_detail, name="sale-detail"),
    path("counter/lookup/", counter.counter_lookup, name="counter-lookup"),
    path("<int:pk>/return/", counter.unit_return, name="unit-return"),
    path("<int:pk>/back-in-stock/", counter.unit_back_in_stock, name="unit-back-in-stock"),
    path("<int:pk>/transfer/", counter.unit_transfer, name="unit-transfer"),
    path("intake/", counter.unit_intake, name="unit-intake"),
    path("reports/warranty-ending/", counter.warranty_ending_report, name="warranty-ending"),
]
