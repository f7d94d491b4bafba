import os
from pathlib import Path

import pytest

from inventory import roles
from tests import factories

#: Real-world sample files live beside the repository; CI has a copy.
SHARED_DATA = Path(
    os.environ.get("SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def shared_file(*parts: str) -> Path:
    """Return a path under the shared data folder, skipping the test when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent; the real-world sample files are not checked out here")
    return path


@pytest.fixture
def clerk(db):
    return factories.make_user(roles.WAREHOUSE_CLERK, username="clerk")


@pytest.fixture
def manager(db):
    return factories.make_user(roles.MANAGER, username="manager")


@pytest.fixture
def counter(db):
    return factories.make_user(roles.COUNTER_STAFF, username="counter")


@pytest.fixture
def technician(db):
    return factories.make_user(roles.SERVICE_TECHNICIAN, username="technician")


@pytest.fixture
def product(db):
    return factories.make_product(name="Dishwasher", model_number="DW-100")


@pytest.fixture
def supplier(db):
    return factories.make_supplier(name="Acme Supply")


@pytest.fixture
def location(db):
    return factories.make_location(name="Main warehouse", code="MAIN")


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client
