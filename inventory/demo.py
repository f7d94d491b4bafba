"""The demo shop: a fictional store and warehouse filled through the real services.

Every brand, model number, GTIN company prefix, VIN manufacturer code, customer
name, e-mail address and phone number below is made up. E-mail addresses use
the reserved example.com domain and phone numbers the 555-0100 to 555-0199
range kept for fiction. The data is deterministic for a given seed, unit count
and day: receipt dates count back from today.
"""

import datetime
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from inventory import roles
from inventory.identifiers import gs1_check_digit, vin_check_character
from inventory.models import Category, Location, Party, Product, StockLevel
from units import sales, services
from units.models import Purpose, Status, Unit

logger = logging.getLogger(__name__)

#: Demo accounts as (username, role group, password). The passwords are public
#: and meant for a local demo only; never load the demo into a shared server.
DEMO_USERS = [
    ("manager", roles.MANAGER, "demo-manager"),
    ("clerk", roles.WAREHOUSE_CLERK, "demo-clerk"),
    ("counter", roles.COUNTER_STAFF, "demo-counter"),
    ("technician", roles.SERVICE_TECHNICIAN, "demo-technician"),
]
DEMO_ADMIN = ("admin", "demo-admin")

DEFAULT_SEED = 20_240_611

_MONTH_LETTERS = "ABCDEFGHJKLM"


# --- Serial styles ----------------------------------------------------------
# Each style turns a per-manufacturer running number and the receiving date into
# a serial, so serials never repeat within a manufacturer.


def _numeric_zero_padded(number: int, day: datetime.date) -> str:
    return f"{number:010d}"


def _letters_and_digits(number: int, day: datetime.date) -> str:
    return f"BW{day.year % 100:02d}{_MONTH_LETTERS[day.month - 1]}{number:05d}"


def _hyphenated_week(number: int, day: datetime.date) -> str:
    week = day.isocalendar().week
    return f"FL-{day.year % 100:02d}{week:02d}-{number:05d}"


def _hyphenated_plain(number: int, day: datetime.date) -> str:
    return f"IVP-{number:07d}"


def _year_month_numeric(number: int, day: datetime.date) -> str:
    return f"{day.year % 100:02d}{day.month:02d}{number:06d}"


@dataclass(frozen=True)
class Maker:
    name: str
    #: Fictional GS1 company prefix; empty for makers whose goods carry no GTIN.
    gtin_prefix: str = ""
    serial_style: Callable[[int, datetime.date], str] | None = None
    #: Fictional world manufacturer identifier for makers of road vehicles.
    wmi: str = ""
    phone: str = ""


MAKERS = {
    "northwind": Maker(
        "Northwind Appliance Co.", "0812345", _numeric_zero_padded, phone="(312) 555-0110"
    ),
    "brightwater": Maker(
        "Brightwater Home", "0823456", _letters_and_digits, phone="(414) 555-0111"
    ),
    "frostline": Maker(
        "Frostline Refrigeration", "0834567", _hyphenated_week, phone="(612) 555-0112"
    ),
    "ironvale": Maker(
        "Ironvale Power Equipment", "0845678", _hyphenated_plain, phone="(262) 555-0113"
    ),
    "cedar": Maker("Cedar Ridge Outdoor", "0856789", _year_month_numeric, phone="(608) 555-0114"),
    "trailmark": Maker("Trailmark Motor Works", wmi="5TM", phone="(317) 555-0115"),
    "redstone": Maker("Redstone Trailer Co.", wmi="4R9", phone="(515) 555-0116"),
    "ridgeback": Maker("Ridgeback Tools", "0867890", phone="(216) 555-0117"),
    "summit": Maker("Summit Ladder Works", "0878901", phone="(330) 555-0118"),
}

#: Category name to (in-house serial prefix, digit count); an empty prefix means
#: the goods carry the manufacturer's own serial.
CATEGORIES = {
    "Refrigerators": ("", 6),
    "Freezers": ("", 6),
    "Washing machines": ("", 6),
    "Dryers": ("", 6),
    "Dishwashers": ("", 6),
    "Ranges": ("", 6),
    "Generators": ("", 6),
    "Lawn mowers": ("", 6),
    "Chainsaws": ("", 6),
    "Pressure washers": ("", 6),
    "Utility vehicles": ("", 6),
    "Trailers": ("", 6),
    "Hand tools": ("HT-", 6),
    "Ladders": ("LD-", 5),
    "Parts and consumables": ("", 6),
}


@dataclass(frozen=True)
class DemoProduct:
    maker: str
    category: str
    name: str
    model_number: str
    #: Months of parts and labour warranty from the sale date.
    warranty: tuple[int, int] = (12, 12)
    #: Relative share of received units.
    weight: int = 1
    #: VIN descriptor section (positions 4-8) for road vehicles; empty otherwise.
    vds: str = ""
    is_serialized: bool = True


PRODUCTS = [
    DemoProduct(
        "northwind", "Refrigerators", "Top-freezer refrigerator 18 cu ft", "NW-TF18W", (12, 12), 6
    ),
    DemoProduct(
        "northwind", "Refrigerators", "French-door refrigerator 26 cu ft", "NW-FD26S", (24, 12), 4
    ),
    DemoProduct(
        "northwind", "Washing machines", "Front-load washer 4.5 cu ft", "NW-FL45", (24, 12), 5
    ),
    DemoProduct("northwind", "Dryers", "Electric dryer 7.4 cu ft", "NW-ED74", (12, 12), 5),
    DemoProduct("brightwater", "Dishwashers", "Built-in dishwasher 24 in", "BW-DW24P", (24, 12), 6),
    DemoProduct("brightwater", "Ranges", "Electric range 30 in", "BW-ER30", (12, 12), 4),
    DemoProduct("brightwater", "Ranges", "Gas range 30 in", "BW-GR30", (12, 12), 3),
    DemoProduct(
        "brightwater", "Washing machines", "Top-load washer 5.0 cu ft", "BW-TL50", (12, 12), 4
    ),
    DemoProduct("frostline", "Freezers", "Chest freezer 7 cu ft", "FL-CF7", (60, 12), 4),
    DemoProduct("frostline", "Freezers", "Upright freezer 17 cu ft", "FL-UF17", (60, 12), 2),
    DemoProduct("ironvale", "Generators", "Portable generator 5500 W", "IV-G5500", (36, 24), 4),
    DemoProduct("ironvale", "Generators", "Inverter generator 2200 W", "IV-I2200", (36, 24), 5),
    DemoProduct("ironvale", "Generators", "Standby generator 14 kW", "IV-S14K", (60, 36), 1),
    DemoProduct("cedar", "Lawn mowers", "Push mower 21 in", "CR-PM21", (24, 24), 6),
    DemoProduct("cedar", "Lawn mowers", "Riding mower 42 in", "CR-RM42", (36, 24), 2),
    DemoProduct("cedar", "Chainsaws", "Chainsaw 18 in", "CR-CS18", (24, 12), 4),
    DemoProduct("cedar", "Pressure washers", "Pressure washer 3100 psi", "CR-PW3100", (24, 12), 3),
    DemoProduct(
        "trailmark", "Utility vehicles", "Utility vehicle 700", "TM-UV700", (12, 12), vds="UV7A4"
    ),
    DemoProduct(
        "trailmark",
        "Utility vehicles",
        "Sport utility vehicle 1000",
        "TM-SX1000",
        (12, 12),
        vds="SX1B6",
    ),
    DemoProduct(
        "redstone", "Trailers", "Utility trailer 6 x 10 ft", "RS-UT610", (60, 12), vds="UT61C"
    ),
    DemoProduct(
        "redstone",
        "Trailers",
        "Enclosed cargo trailer 7 x 14 ft",
        "RS-EC714",
        (60, 12),
        vds="EC71D",
    ),
    DemoProduct("ridgeback", "Hand tools", "Torque wrench 1/2 in drive", "RB-TW12", (12, 0)),
    DemoProduct("ridgeback", "Hand tools", "Pipe wrench 24 in", "RB-PW24", (12, 0)),
    DemoProduct("summit", "Ladders", "Extension ladder 24 ft", "SL-EX24", (12, 0)),
    DemoProduct("summit", "Ladders", "Step ladder 8 ft", "SL-ST8", (12, 0)),
    DemoProduct(
        "ironvale",
        "Parts and consumables",
        "Generator oil 20 oz",
        "IV-OIL20",
        (0, 0),
        is_serialized=False,
    ),
    DemoProduct(
        "cedar",
        "Parts and consumables",
        "Mower blade 21 in",
        "CR-BL21",
        (0, 0),
        is_serialized=False,
    ),
]

#: Supplier name to the makers whose goods it delivers.
SUPPLIERS = {
    "Central Appliance Distributors": ("northwind", "brightwater", "frostline"),
    "Great Lakes Outdoor Supply": ("ironvale", "cedar"),
    "Prairie Powersports Wholesale": ("trailmark", "redstone"),
    "Keystone Tool & Hardware Supply": ("ridgeback", "summit"),
}

# fmt: off
_FIRST_NAMES = [
    "Maria", "James", "Aisha", "Tom", "Priya", "Daniel", "Grace", "Luis", "Hannah", "Omar",
    "Chloe", "Victor", "Nadia", "Ethan", "Rosa", "Kenji", "Alice", "Marcus", "Ingrid", "Samuel",
]
_LAST_NAMES = [
    "Lopez", "Carter", "Okafor", "Nguyen", "Schmidt", "Patel", "Kowalski", "Haddad", "Brennan",
    "Moreau", "Fischer", "Alvarez", "Lindqvist", "Tanaka", "Mensah", "Russo",
]
# fmt: on
_STREETS = ["Maple Ave", "Harbor Rd", "Elm St", "Prairie Ln", "Mill Creek Dr", "Oak Ridge Ct"]
_TOWNS = ["Springfield", "Riverton", "Lakeside", "Fairview", "Brookhaven"]
_AREA_CODES = ["217", "309", "414", "608", "612", "815"]
_BUSINESS_CUSTOMERS = [
    "Hillside Property Management",
    "Lakeview Rentals LLC",
    "Greenway Landscaping",
    "Northgate Apartments",
]


def _seeded_date(rng: random.Random, today: datetime.date, *, max_days_ago: int) -> datetime.date:
    return today - datetime.timedelta(days=rng.randint(3, max_days_ago))


# --- Catalog -----------------------------------------------------------------


@dataclass
class Shop:
    """The catalog objects the demo creates, looked up by short keys."""

    makers: dict[str, Party] = field(default_factory=dict)
    suppliers: dict[str, Party] = field(default_factory=dict)
    customers: list[Party] = field(default_factory=list)
    products: dict[str, Product] = field(default_factory=dict)
    store_bins: list[Location] = field(default_factory=list)
    warehouse_bins: list[Location] = field(default_factory=list)
    yard: Location | None = None
    users: dict[str, User] = field(default_factory=dict)


def create_users(shop: Shop) -> None:
    """Create one demo user per role and the admin; existing accounts are left untouched."""
    for username, role, password in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": username.title()}
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=role))
        else:
            logger.warning("Demo user %s already exists; its password was not changed", user.pk)
        shop.users[username] = user
    username, password = DEMO_ADMIN
    if not User.objects.filter(username=username).exists():
        User.objects.create_superuser(username=username, email="", password=password)


def create_locations(shop: Shop) -> None:
    store = Location.objects.create(name="Main Street Store", code="STORE", kind="store")
    warehouse = Location.objects.create(name="Eastside Warehouse", code="WH", kind="warehouse")
    for code, name in [("FLOOR", "Sales floor"), ("BACK", "Back room"), ("SVC", "Service bay")]:
        shop.store_bins.append(
            Location.objects.create(name=name, code=f"STORE-{code}", kind="bin", parent=store)
        )
    for aisle in "ABC":
        for rack in range(1, 5):
            shop.warehouse_bins.append(
                Location.objects.create(
                    name=f"Aisle {aisle} rack {rack}",
                    code=f"WH-{aisle}{rack:02d}",
                    kind="bin",
                    parent=warehouse,
                )
            )
    shop.yard = Location.objects.create(
        name="Vehicle yard", code="WH-YARD", kind="bin", parent=warehouse
    )


def create_parties(shop: Shop, rng: random.Random) -> None:
    for key, maker in MAKERS.items():
        shop.makers[key] = Party.objects.create(
            name=maker.name, is_manufacturer=True, phone=maker.phone
        )
    for number, name in enumerate(SUPPLIERS, start=20):
        shop.suppliers[name] = Party.objects.create(
            name=name,
            is_supplier=True,
            email=f"orders@{name.split()[0].lower()}-supply.example.com",
            phone=f"(800) 555-01{number:02d}",
        )
    shop.customers = Party.objects.bulk_create(_customers(rng))


def _customers(rng: random.Random) -> list[Party]:
    people = {(rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)) for _ in range(60)}
    names = [f"{first} {last}" for first, last in sorted(people)] + _BUSINESS_CUSTOMERS
    customers = []
    for index, name in enumerate(names):
        local = name.lower().replace(" ", ".").replace("llc", "office")
        customers.append(
            Party(
                name=name,
                is_customer=True,
                email=f"{local}@example.com",
                phone=f"({rng.choice(_AREA_CODES)}) 555-01{index % 100:02d}",
                address=(f"{rng.randint(10, 9800)} {rng.choice(_STREETS)}, {rng.choice(_TOWNS)}"),
            )
        )
    return customers


def create_products(shop: Shop) -> None:
    categories = {
        name: Category.objects.create(name=name, in_house_prefix=prefix, in_house_width=width)
        for name, (prefix, width) in CATEGORIES.items()
    }
    item_numbers: dict[str, int] = {}
    for spec in PRODUCTS:
        maker = MAKERS[spec.maker]
        gtin = ""
        if maker.gtin_prefix:
            item_numbers[spec.maker] = item_numbers.get(spec.maker, 100) + 7
            body = f"{maker.gtin_prefix}{item_numbers[spec.maker]:04d}"
            gtin = f"{body}{gs1_check_digit(body)}"
        shop.products[spec.model_number] = Product.objects.create(
            name=spec.name,
            model_number=spec.model_number,
            manufacturer=shop.makers[spec.maker],
            category=categories[spec.category],
            gtin=gtin,
            is_serialized=spec.is_serialized,
            warranty_parts_months=spec.warranty[0],
            warranty_labour_months=spec.warranty[1],
        )


def create_stock_levels(shop: Shop) -> None:
    """Give the non-serialized consumables a quantity on hand in the store's back room."""
    for spec, quantity in zip([p for p in PRODUCTS if not p.is_serialized], [48, 30], strict=True):
        StockLevel.objects.create(
            product=shop.products[spec.model_number],
            location=shop.store_bins[1],
            quantity=quantity,
        )


# --- Units -------------------------------------------------------------------


@dataclass(frozen=True)
class UnitCounts:
    """Split of a requested unit count into received, vehicle and in-house units."""

    received: int
    vehicles: int
    in_house: int

    @classmethod
    def split(cls, total: int) -> "UnitCounts":
        vehicles = max(1, total // 100) if total >= 10 else 0
        in_house = total // 20
        return cls(received=total - vehicles - in_house, vehicles=vehicles, in_house=in_house)


def _supplier_for(shop: Shop, maker_key: str) -> Party:
    for name, makers in SUPPLIERS.items():
        if maker_key in makers:
            return shop.suppliers[name]
    raise KeyError(maker_key)


def receive_stock(shop: Shop, rng: random.Random, count: int, today: datetime.date) -> None:
    """Receive ``count`` serialized units in receipts of 5 to 120 units, oldest first."""
    specs = [p for p in PRODUCTS if p.is_serialized and MAKERS[p.maker].serial_style]
    weights = [p.weight for p in specs]
    batches = []
    remaining = count
    while remaining > 0:
        size = min(remaining, rng.randint(5, 120))
        batches.append(
            (rng.choices(specs, weights)[0], size, _seeded_date(rng, today, max_days_ago=540))
        )
        remaining -= size
    batches.sort(key=lambda batch: batch[2])
    next_number = {key: rng.randint(1_000, 90_000) for key in MAKERS}
    for index, (spec, size, received_on) in enumerate(batches, start=1):
        style = MAKERS[spec.maker].serial_style
        first = next_number[spec.maker]
        next_number[spec.maker] += size
        bins = shop.warehouse_bins if rng.random() < 0.8 else shop.store_bins[:2]
        services.receipt_create(
            actor=shop.users["clerk"],
            supplier=_supplier_for(shop, spec.maker),
            product=shop.products[spec.model_number],
            location=rng.choice(bins),
            serials=[style(number, received_on) for number in range(first, first + size)],
            received_on=received_on,
            reference=f"DN-{received_on:%y%m}-{index:04d}",
        )


def demo_vin(wmi: str, vds: str, model_year_code: str, plant: str, number: int) -> str:
    """Build a 17-character VIN with a valid check character in position 9."""
    draft = f"{wmi}{vds}0{model_year_code}{plant}{number:06d}"
    return f"{draft[:8]}{vin_check_character(draft)}{draft[9:]}"


def register_vehicles(shop: Shop, rng: random.Random, count: int, today: datetime.date) -> None:
    """Register road vehicles by VIN; their VIN is also their serial."""
    specs = [p for p in PRODUCTS if p.vds]
    # Position 10 is the model-year code: R, S and T are 2024, 2025 and 2026.
    for number in range(1, count + 1):
        spec = rng.choice(specs)
        vin = demo_vin(MAKERS[spec.maker].wmi, spec.vds, rng.choice("RST"), "K", 40_000 + number)
        services.unit_register(
            actor=shop.users["clerk"],
            product=shop.products[spec.model_number],
            serial=vin,
            vin=vin,
            reason=f"Registered by VIN from {_supplier_for(shop, spec.maker).name}",
            location=shop.yard,
            supplier=_supplier_for(shop, spec.maker),
            received_on=_seeded_date(rng, today, max_days_ago=300),
        )


def tag_in_house(shop: Shop, rng: random.Random, count: int) -> None:
    """Tag items without a serial of their own (hand tools, ladders) with in-house serials."""
    specs = [p for p in PRODUCTS if CATEGORIES[p.category][0]]
    remaining = count
    while remaining > 0:
        spec = rng.choice(specs)
        batch = min(remaining, rng.randint(3, 25))
        services.in_house_units_create(
            actor=shop.users["clerk"],
            product=shop.products[spec.model_number],
            location=rng.choice(shop.store_bins[:2]),
            count=batch,
            supplier=_supplier_for(shop, spec.maker),
        )
        remaining -= batch


# --- Status mix ----------------------------------------------------------------


def _sell(shop: Shop, rng: random.Random, unit: Unit, number: int) -> Unit:
    price = unit.product.list_price or Decimal(rng.randrange(199, 2999))
    sales.sale_create(
        actor=shop.users["counter"],
        customer=rng.choice(shop.customers),
        lines=[sales.LineInput(unit.pk, price)],
        invoice_number=f"INV-{10_000 + number}",
        sold_on=unit.received_on,
    )
    return Unit.objects.get(pk=unit.pk)


def _rent(shop: Shop, rng: random.Random, unit: Unit, number: int) -> Unit:
    return services.unit_change_status(
        unit=unit,
        status=Status.RENTED,
        actor=shop.users["counter"],
        reason=f"Rented out on agreement RA-{5_000 + number}",
        purpose=Purpose.RENTAL,
    )


def _damage(shop: Shop, rng: random.Random, unit: Unit, number: int) -> Unit:
    reason = rng.choice(
        ["Dented side panel found at unpacking", "Carton crushed in transit", "Cracked housing"]
    )
    unit = services.unit_mark_damaged(unit=unit, actor=shop.users["clerk"], reason=reason)
    if number % 2:
        unit = services.unit_change_status(
            unit=unit,
            status=Status.INSPECTION,
            actor=shop.users["technician"],
            reason="Sent to the service bay for inspection",
            location=shop.store_bins[2],
        )
    return unit


def _hold(shop: Shop, rng: random.Random, unit: Unit, number: int) -> Unit:
    return services.unit_change_status(
        unit=unit,
        status=Status.ON_HOLD,
        actor=shop.users["manager"],
        reason="Held: supplier asked to stop sales pending a parts check",
    )


def _reserve(shop: Shop, rng: random.Random, unit: Unit, number: int) -> Unit:
    return services.unit_change_status(
        unit=unit,
        status=Status.RESERVED,
        actor=shop.users["counter"],
        reason=f"Reserved for pickup, deposit on invoice INV-{20_000 + number}",
    )


def _service(shop: Shop, rng: random.Random, unit: Unit, number: int) -> Unit:
    return services.unit_change_status(
        unit=unit,
        status=Status.IN_SERVICE,
        actor=shop.users["technician"],
        reason="Pre-delivery service",
        location=shop.store_bins[2],
    )


def _sell_and_take_back(shop: Shop, rng: random.Random, unit: Unit, number: int) -> Unit:
    unit = _sell(shop, rng, unit, 50_000 + number)
    return sales.sale_return(
        actor=shop.users["counter"],
        unit=unit,
        customer=unit.owner,
        reason="Returned within 30 days, unopened",
        location=shop.store_bins[1],
        returned_on=unit.received_on,
    )


#: Share of the shop's serialized stock moved into each state, with the step that does it.
STATUS_MIX: list[tuple[float, Callable[[Shop, random.Random, Unit, int], Unit]]] = [
    (0.18, _sell),
    (0.03, _reserve),
    (0.02, _hold),
    (0.03, _damage),
    (0.02, _rent),
    (0.01, _service),
    (0.01, _sell_and_take_back),
]


def mix_statuses(shop: Shop, rng: random.Random) -> None:
    """Move part of the stock out of "In stock" so the dashboard shows a realistic mix."""
    units = list(Unit.objects.filter(in_house_tag__isnull=True).order_by("pk"))
    rng.shuffle(units)
    start = 0
    for share, step in STATUS_MIX:
        chosen = units[start : start + round(share * len(units))]
        start += len(chosen)
        for number, unit in enumerate(chosen, start=1):
            step(shop, rng, unit, number)


def load_demo(*, units: int, seed: int = DEFAULT_SEED) -> Shop:
    """Fill an empty database with the demo shop and ``units`` serialized units."""
    rng = random.Random(seed)  # noqa: S311 - fictional demo data, not secrets
    today = timezone.localdate()
    counts = UnitCounts.split(units)
    shop = Shop()
    # One transaction: on SQLite this avoids a disk sync per service call,
    # which makes loading several times faster, and a failure leaves nothing behind.
    with transaction.atomic():
        create_users(shop)
        create_locations(shop)
        create_parties(shop, rng)
        create_products(shop)
        create_stock_levels(shop)
        receive_stock(shop, rng, counts.received, today)
        register_vehicles(shop, rng, counts.vehicles, today)
        tag_in_house(shop, rng, counts.in_house)
        mix_statuses(shop, rng)
    logger.info(
        "Demo loaded: %d received, %d vehicles, %d in-house units",
        counts.received,
        counts.vehicles,
        counts.in_house,
    )
    return shop
