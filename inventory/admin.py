from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from inventory.models import Category, Location, Party, Product, StockLevel


@admin.register(Party)
class PartyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "is_manufacturer", "is_supplier", "is_customer", "email", "phone"]
    list_filter = ["is_manufacturer", "is_supplier", "is_customer"]
    search_fields = ["name", "email", "phone"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "in_house_prefix", "in_house_width"]


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ["name", "model_number", "manufacturer", "category", "gtin", "is_serialized"]
    list_filter = ["is_serialized", "category"]
    search_fields = ["name", "model_number", "gtin"]


@admin.register(StockLevel)
class StockLevelAdmin(SimpleHistoryAdmin):
    list_display = ["product", "location", "quantity"]
