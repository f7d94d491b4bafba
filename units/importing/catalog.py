"""Find or plan the catalog entries an import file names: parties, categories,
locations and products.

Names match existing entries case-insensitively. Missing ones are planned
first, so a dry run can list them, and created only by ``CatalogPlan.create``
inside the import's transaction.
"""

import dataclasses
import re

from django.contrib.auth.models import AbstractBaseUser
from django.db.models.functions import Lower

from inventory.models import Category, Location, Party, Product

#: Used when a file names no manufacturer (InvenTree's stock export has none).
UNKNOWN_MANUFACTURER = "Unknown manufacturer"
#: Used when a file names no category.
UNCATEGORIZED = "Uncategorized"

_ROLE_FLAGS = {
    "manufacturer": "is_manufacturer",
    "supplier": "is_supplier",
    "customer": "is_customer",
}

ProductKey = tuple[str, str]
LocationKey = tuple[str, ...]


def name_key(name: str) -> str:
    return " ".join(name.split()).lower()


@dataclasses.dataclass
class _NewProduct:
    name: str
    model_number: str
    manufacturer: str
    category: str


class CatalogPlan:
    """Existing catalog entries named by a file, and the ones still to create."""

    def __init__(self, *, location_separator: str | None) -> None:
        self.location_separator = location_separator
        self.parties: dict[str, Party] = {}
        self.categories: dict[str, Category] = {}
        self.products: dict[ProductKey, Product] = {}
        self.locations: dict[LocationKey, Location] = {}
        self.new_parties: dict[str, tuple[str, set[str]]] = {}
        self.role_additions: dict[str, set[str]] = {}
        self.new_categories: dict[str, str] = {}
        self.new_products: dict[ProductKey, _NewProduct] = {}
        self.new_locations: dict[LocationKey, str] = {}
        self._all_locations: list[Location] = []
        self._location_cache: dict[str, LocationKey] = {}

    # --- Loading existing entries -------------------------------------------

    def load(self, *, party_names: set[str], category_names: set[str]) -> None:
        """Fetch the existing parties, categories, products and locations in a few queries."""
        keys = {name_key(n) for n in party_names if n.strip()}
        for party in Party.objects.annotate(key=Lower("name")).filter(key__in=keys).order_by("pk"):
            self.parties.setdefault(name_key(party.name), party)
        keys = {name_key(n) for n in category_names if n.strip()}
        for category in Category.objects.annotate(key=Lower("name")).filter(key__in=keys):
            self.categories[name_key(category.name)] = category
        manufacturers = [p.pk for p in self.parties.values()]
        for product in Product.objects.filter(manufacturer__in=manufacturers).select_related(
            "manufacturer", "category"
        ):
            key = (name_key(product.manufacturer.name), name_key(product.model_number))
            self.products[key] = product
        self._all_locations = list(Location.objects.all())

    # --- Planning ----------------------------------------------------------

    def party(self, name: str, role: str) -> str:
        """Return the key of the party called ``name``, planning it or its new role."""
        key = name_key(name)
        flag = _ROLE_FLAGS[role]
        if key in self.parties:
            if not getattr(self.parties[key], flag):
                self.role_additions.setdefault(key, set()).add(flag)
        elif key in self.new_parties:
            self.new_parties[key][1].add(flag)
        else:
            self.new_parties[key] = (" ".join(name.split()), {flag})
        return key

    def category(self, name: str) -> str:
        key = name_key(name)
        if key not in self.categories and key not in self.new_categories:
            self.new_categories[key] = " ".join(name.split())
        return key

    def product(
        self, *, manufacturer: str, model_number: str, name: str, category: str
    ) -> tuple[ProductKey, Product | None]:
        """Return the product key and the existing product, planning a new one if missing."""
        key = (manufacturer, name_key(model_number))
        existing = self.products.get(key)
        if existing is None and key not in self.new_products:
            self.new_products[key] = _NewProduct(name, model_number.strip(), manufacturer, category)
        return key, existing

    def location(self, value: str) -> LocationKey:
        """Return the key of the location named by a code, a name or an "A/B/C" path."""
        text = value.strip()
        if text not in self._location_cache:
            self._location_cache[text] = self._find_location(text)
        return self._location_cache[text]

    def _find_location(self, text: str) -> LocationKey:
        by_code = [loc for loc in self._all_locations if loc.code.lower() == text.lower()]
        if by_code:
            return self._remember(by_code[0])
        parts = self._split(text)
        if len(parts) == 1:
            named = [loc for loc in self._all_locations if name_key(loc.name) == name_key(text)]
            if len(named) == 1:
                return self._remember(named[0])
        parent: Location | None = None
        for depth, part in enumerate(parts, start=1):
            child = next(
                (
                    loc
                    for loc in self._all_locations
                    if loc.parent_id == (parent.pk if parent else None)
                    and name_key(loc.name) == name_key(part)
                ),
                None,
            )
            if child is None:
                for new_depth in range(depth, len(parts) + 1):
                    new_key = tuple(name_key(p) for p in parts[:new_depth])
                    self.new_locations.setdefault(new_key, parts[new_depth - 1])
                return tuple(name_key(p) for p in parts)
            parent = child
        return self._remember(parent)

    def _split(self, text: str) -> list[str]:
        if not self.location_separator:
            return [" ".join(text.split())]
        return [" ".join(p.split()) for p in text.split(self.location_separator) if p.strip()]

    def _remember(self, location: Location) -> LocationKey:
        key: LocationKey = ("#", str(location.pk))
        self.locations[key] = location
        return key

    def to_create(self) -> dict[str, list[str]]:
        """Return the names of the entries an import will create, by kind, for the preview."""
        return {
            "manufacturers": sorted(
                n for n, f in self.new_parties.values() if "is_manufacturer" in f
            ),
            "suppliers": sorted(n for n, f in self.new_parties.values() if "is_supplier" in f),
            "customers": sorted(n for n, f in self.new_parties.values() if "is_customer" in f),
            "categories": sorted(self.new_categories.values()),
            "locations": sorted(" / ".join(self._location_names(k)) for k in self.new_locations),
            "products": sorted(f"{p.name} ({p.model_number})" for p in self.new_products.values()),
        }

    def role_changes(self) -> list[str]:
        return sorted(
            f"{self.parties[key].name} will also be marked as "
            + ", ".join(flag.removeprefix("is_") for flag in sorted(flags))
            for key, flags in self.role_additions.items()
        )

    def _location_names(self, key: LocationKey) -> list[str]:
        return [self.new_locations[key[:depth]] for depth in range(1, len(key) + 1)]

    # --- Creating ------------------------------------------------------------

    def create(self, *, actor: AbstractBaseUser | None, reason: str) -> None:
        """Create every planned entry; call inside the import's transaction."""
        for key, flags in self.role_additions.items():
            party = self.parties[key]
            for flag in flags:
                setattr(party, flag, True)
            party._history_user = actor
            party._change_reason = reason
            party.save()
        for key, (name, flags) in self.new_parties.items():
            party = Party(name=name, **dict.fromkeys(flags, True))
            party._history_user = actor
            party._change_reason = reason
            party.save()
            self.parties[key] = party
        for key, name in self.new_categories.items():
            self.categories[key] = Category.objects.create(name=name)
        self._create_locations()
        for key, planned in self.new_products.items():
            product = Product(
                name=planned.name,
                model_number=planned.model_number,
                manufacturer=self.parties[planned.manufacturer],
                category=self.categories[planned.category],
            )
            product._history_user = actor
            product._change_reason = reason
            product.save()
            self.products[key] = product
        self.new_parties, self.role_additions, self.new_categories = {}, {}, {}
        self.new_products, self.new_locations = {}, {}

    def _create_locations(self) -> None:
        codes = {loc.code.lower() for loc in self._all_locations}
        for key in sorted(self.new_locations, key=len):
            parent = self.locations.get(key[:-1]) if len(key) > 1 else None
            if len(key) > 1 and parent is None:
                parent = self._existing_at(key[:-1])
            name = self.new_locations[key]
            code = _unique_code(name, codes)
            codes.add(code.lower())
            kind = Location.Kind.WAREHOUSE if parent is None else Location.Kind.BIN
            location = Location.objects.create(name=name[:100], code=code, kind=kind, parent=parent)
            self._all_locations.append(location)
            self.locations[key] = location

    def _existing_at(self, path: LocationKey) -> Location | None:
        parent: Location | None = None
        for part in path:
            parent = next(
                loc
                for loc in self._all_locations
                if loc.parent_id == (parent.pk if parent else None) and name_key(loc.name) == part
            )
        return parent

    # --- Lookup after creation ----------------------------------------------

    def get_location(self, key: LocationKey) -> Location:
        return self.locations[key]


def _unique_code(name: str, taken: set[str]) -> str:
    """Return a location code made from name, unique among ``taken`` (lower-case codes)."""
    base = re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")[:24] or "LOC"
    code, number = base, 1
    while code.lower() in taken:
        number += 1
        code = f"{base}-{number}"
    return code
