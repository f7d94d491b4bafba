"""Dashboard and catalog pages."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from inventory.models import Location, Party, Product
from service.selectors import customer_service_orders
from units.models import Receipt, Status, Unit
from units.selectors_counter import customer_sales, customer_units


def dashboard(request):
    counts = dict(Unit.objects.values_list("status").annotate(n=Count("id")).order_by())
    context = {
        "status_counts": [
            (Status(code).label, code, counts.get(code, 0)) for code in Status.values
        ],
        "recent_receipts": Receipt.objects.select_related("supplier", "product", "location")[:8],
    }
    return render(request, "inventory/dashboard.html", context)


@permission_required("inventory.view_product", raise_exception=True)
def product_list(request):
    query = request.GET.get("q", "").strip()
    products = Product.objects.select_related("manufacturer", "category")
    if query:
        products = products.filter(
            Q(name__icontains=query) | Q(model_number__icontains=query) | Q(gtin=query)
        )
    page = Paginator(products.order_by("name", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "inventory/product_list.html", {"page": page, "query": query})


@permission_required("inventory.view_product", raise_exception=True)
def product_detail(request, pk: int):
    product = get_object_or_404(Product.objects.select_related("manufacturer", "category"), pk=pk)
    counts = (
        Unit.objects.filter(product=product).values("status").annotate(n=Count("id")).order_by()
    )
    return render(request, "inventory/product_detail.html", {"product": product, "counts": counts})


@permission_required("inventory.view_party", raise_exception=True)
def party_list(request):
    query = request.GET.get("q", "").strip()
    parties = Party.objects.all()
    if query:
        parties = parties.filter(
            Q(name__icontains=query) | Q(email__icontains=query) | Q(phone__icontains=query)
        )
    page = Paginator(parties.order_by("name", "pk"), 50).get_page(request.GET.get("page"))
    return render(request, "inventory/party_list.html", {"page": page, "query": query})


@permission_required("inventory.view_party", raise_exception=True)
def party_detail(request, pk: int):
    """Show a customer: contact details, units owned now and before, sales and service orders."""
    party = get_object_or_404(Party, pk=pk)
    return render(
        request,
        "inventory/party_detail.html",
        {
            "party": party,
            "units": customer_units(party, on=timezone.localdate()),
            "sales": customer_sales(party),
            "service_orders": customer_service_orders(party),
        },
    )


@permission_required("inventory.view_location", raise_exception=True)
def location_list(request):
    locations = Location.objects.select_related("parent__parent").annotate(
        unit_count=Count("units", filter=Q(units__status__in=[Status.IN_STOCK]))
    )
    return render(request, "inventory/location_list.html", {"locations": locations})
