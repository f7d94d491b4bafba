"""Each real recall notice in the shared sample, expressed as criteria and matched.

The notices come from recall_patterns.json in the shared real-world data
folder (paraphrased public notices with their identifier values). For every
case the table below builds the criteria from the case's own values, creates
units that the notice covers and units it does not, and checks the match.
"""

import calendar
import datetime
import json

import pytest

from recalls.scope import parse_notice_date
from recalls.selectors import affected_units_with_assemblies, recall_match
from recalls.services import recall_run_matching
from tests.conftest import shared_file
from tests.recalls.builders import install, make_recall, make_unit

pytestmark = pytest.mark.realdata


def load_cases() -> dict[str, dict]:
    path = shared_file("realworld", "recalls", "recall_patterns.json")
    return {case["id"]: case for case in json.loads(path.read_text())["recalls"]}


def month_start(text: str) -> datetime.date:
    year, month = map(int, text.split("-"))
    return datetime.date(year, month, 1)


def month_end(text: str) -> datetime.date:
    year, month = map(int, text.split("-"))
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


# Each builder returns (criteria, affected units, unaffected units). A unit is
# (model number, serial, extra fields); "host" in the fields names the
# assembly (model, serial) the unit is fitted into.


def goodman_gas_electric(case):
    models = case["affected"]["models"]
    prefixes = case["affected"]["serial_prefixes"]
    criteria = [{"products": models, "serial_prefixes": "\n".join(prefixes)}]
    affected = [(model, f"{prefixes[i % 3]}{i:04d}", {}) for i, model in enumerate(models)]
    unaffected = [(models[0], "08031234", {}), ("GPG99999999ZZ", "08011234", {})]
    return criteria, affected, unaffected


def dometic_refrigerators(case):
    models = case["affected"]["models"]
    length = case["affected"]["serial_length"]
    # Build period April 1997 to May 2003: the windows are one per year from
    # 1997, and the single year digit wraps from 9 to 0.
    criteria, affected = [], []
    for index, (first, last) in enumerate(case["affected"]["serial_prefix_ranges"]):
        year = 1997 + index
        assert int(first[0]) == year % 10
        criteria.append(
            {
                "products": models,
                "serial_length": length,
                "code_position": 1,
                "code_format": "YWW",
                "code_first": year * 100 + int(first[1:]),
                "code_last": year * 100 + int(last[1:]),
            }
        )
        affected += [(models[index], f"{first}12345", {}), (models[-1], f"{last}00001", {})]
    unaffected = [
        (models[0], "32012345", {}),
        (models[0], "05312345", {}),
        (models[0], "7121234X", {}),
        (models[0], "713123456", {}),
        ("RM9999", "71312345", {}),
    ]
    return criteria, affected, unaffected


def goodman_ptac(case):
    first, last = case["affected"]["serial_range_inclusive"]
    codes = case["affected"]["cord_date_code"]
    # The cord code is read as WWYY (see the case's ambiguity note); "ends in
    # 06 or 07" and "0108 to 1808" join into weeks 1 of 2006 to 18 of 2008.
    low, high = codes["range_inclusive"]
    criteria = [
        {"range": (first, last, True)},
        {
            "code_source": "lot",
            "code_position": 1,
            "code_format": "WWYY",
            "code_first": (2000 + int(codes["ends_with"][0])) * 100 + 1,
            "code_last": (2000 + int(high[2:])) * 100 + int(high[:2]),
        },
    ]
    assert low == "0108"
    affected = [
        ("PTAC-1", first, {}),
        ("PTAC-1", last, {}),
        ("PTAC-2", "0750000000", {}),
        ("PTAC-3", "CORD-1", {"lot": "0106"}),
        ("PTAC-3", "CORD-2", {"lot": "5207"}),
        ("PTAC-3", "CORD-3", {"lot": low}),
        ("PTAC-3", "CORD-4", {"lot": high}),
    ]
    unaffected = [
        ("PTAC-1", str(int(first) - 1).zfill(10), {}),
        ("PTAC-1", str(int(last) + 1).zfill(10), {}),
        ("PTAC-1", first.lstrip("0"), {}),
        ("PTAC-3", "CORD-5", {"lot": "0109"}),
        ("PTAC-3", "CORD-6", {"lot": "1908"}),
        ("PTAC-3", "CORD-7", {"lot": "5205"}),
    ]
    return criteria, affected, unaffected


def aosmith_water_heaters(case):
    families = case["affected"]["model_families"]
    prefixes = case["affected"]["serial_prefixes"]
    criteria = [
        {
            "model_patterns": "\n".join(f"{family}*" for family in families),
            "serial_prefixes": "\n".join(prefixes),
        }
    ]
    affected = [
        (f"{families[0]}40T", f"{prefixes[0]}123456", {}),
        (f"{families[1]}30", f"{prefixes[-1].lower()}000001", {}),
    ]
    unaffected = [
        (f"{families[0]}40T", "MC91123456", {}),
        (f"{families[0]}40T", "MH91123456", {}),
        ("ESX40", f"{prefixes[1]}123456", {}),
    ]
    return criteria, affected, unaffected


def stork_craft_cribs(case):
    window = case["affected"]["made_between"]
    subset = case["affected"]["subset"]["made_between"]
    # The drop-side hardware is a property of the crib model, so the shop
    # lists the models that carry it; co-branded models get their own window.
    criteria = [
        {
            "products": ["CRIB-STORK"],
            "manufactured_from": month_start(window[0]),
            "manufactured_until": month_end(window[1]),
        },
        {
            "products": ["CRIB-FP"],
            "manufactured_from": month_start(subset[0]),
            "manufactured_until": month_end(subset[1]),
        },
    ]
    affected = [
        ("CRIB-STORK", "C1", {"manufactured_on": month_start(window[0])}),
        ("CRIB-STORK", "C2", {"manufactured_on": month_end(window[1])}),
        ("CRIB-FP", "C3", {"manufactured_on": month_start(subset[0])}),
        ("CRIB-FP", "C4", {"manufactured_on": month_end(subset[1])}),
    ]
    unaffected = [
        ("CRIB-STORK", "C5", {"manufactured_on": datetime.date(2009, 11, 1)}),
        ("CRIB-FP", "C6", {"manufactured_on": datetime.date(1997, 9, 30)}),
        ("CRIB-FP", "C7", {"manufactured_on": datetime.date(2005, 1, 1)}),
        ("CRIB-OTHER", "C8", {"manufactured_on": datetime.date(2000, 1, 1)}),
    ]
    return criteria, affected, unaffected


def pedego_batteries(case):
    prefix = case["affected"]["serial_prefix"]
    criteria = [{"serial_prefixes": prefix}]
    affected = [("BAT-36V", f"{prefix}12345", {}), ("BAT-48V", f"{prefix.lower()}00001", {})]
    unaffected = [("BAT-36V", "DLG12345", {}), ("BAT-36V", f"X{prefix}1", {})]
    return criteria, affected, unaffected


def serial_list(separator):
    def build(case):
        values = case["values_from_source_first"]
        criteria = [{"serials": separator.join(values)}]
        affected = [("DEVICE", value, {}) for value in values]
        return criteria, affected, None

    return build


def infusion_pumps_z0971(case):
    values = case["values_from_source_first"]
    # Single and double spaces between serials, as in the source field.
    criteria = [{"serials": " ".join(values[:5]) + "  " + "  ".join(values[5:])}]
    affected = [("DEVICE", value, {}) for value in values]
    unaffected = [("DEVICE", "700002", {}), ("DEVICE", "400013", {}), ("DEVICE", "70000", {})]
    return criteria, affected, unaffected


def bezel_z1375(case):
    criteria, affected, _ = serial_list("\n")(case)
    # Zero padding a 7-digit serial to 8 digits must not match.
    unaffected = [("DEVICE", "04105026", {}), ("DEVICE", "410502", {})]
    return criteria, affected, unaffected


def rapid_infuser_z0058(case):
    values = case["values_from_source_first"]
    text = f'"{values[0]} {values[1]}" {values[2]}, {values[3]} "{values[4]}" {values[5]} "{values[6]}\n{values[7]}" {values[8]}'
    criteria = [{"serials": text}]
    affected = [("DEVICE", value, {}) for value in values]
    unaffected = [("DEVICE", "M03013", {}), ("DEVICE", "10030", {}), ("DEVICE", "Q05065", {})]
    return criteria, affected, unaffected


def syringe_pump_z0650(case):
    values = case["values_from_source_first"]
    criteria = [{"range": (values[0], values[-1], True)}]
    affected = [("PUMP-3500", value, {}) for value in values] + [("PUMP-3500-B", "m60296", {})]
    unaffected = [
        ("PUMP-3500", "M60292", {}),
        ("PUMP-3500", "M60301", {}),
        ("PUMP-3500", "N60295", {}),
        ("PUMP-3500", "M060295", {}),
    ]
    return criteria, affected, unaffected


def pet_pump_z0400(case):
    criteria, affected, _ = serial_list("\n")(case)
    unaffected = [("DEVICE", "2004", {}), ("DEVICE", "200440", {})]
    return criteria, affected, unaffected


def simulator_belts_z0646(case):
    hosts = case["affected"]["host_models"]
    criteria = [{"products": ["DRIVE-BELT"], "host_products": hosts}]
    affected = [
        ("DRIVE-BELT", f"BELT-{index}", {"host": (host, f"SYS-{index}")})
        for index, host in enumerate(hosts)
    ]
    unaffected = [
        ("DRIVE-BELT", "BELT-LOOSE", {}),
        ("DRIVE-BELT", "BELT-OTHER", {"host": ("9999999", "SYS-OTHER")}),
        (hosts[0], "SYS-EMPTY", {}),
    ]
    return criteria, affected, unaffected


def trailers_22v356(case):
    first, last = case["affected"]["build_dates_field"].split(" - ")
    window = {
        "manufactured_from": parse_notice_date(first),
        "manufactured_until": parse_notice_date(last),
    }
    # Both dates are the all-zero placeholder, so only the models remain.
    criteria = [{"products": ["TRAILER-A", "TRAILER-B"], **{k: v for k, v in window.items() if v}}]
    affected = [
        ("TRAILER-A", "1TRA0000000000001", {}),
        ("TRAILER-B", "1TRB0000000000002", {"manufactured_on": datetime.date(2021, 11, 1)}),
    ]
    unaffected = [("TRAILER-C", "1TRC0000000000003", {})]
    return criteria, affected, unaffected


def gooseneck_17v494(case):
    first, last = (datetime.date.fromisoformat(d) for d in case["affected"]["production_dates"])
    # Model years 2012-2014 are not a unit field; the production window decides.
    criteria = [{"products": ["GOOSENECK"], "manufactured_from": first, "manufactured_until": last}]
    affected = [
        ("GOOSENECK", "G1", {"manufactured_on": first}),
        ("GOOSENECK", "G2", {"manufactured_on": datetime.date(2011, 9, 1)}),
        ("GOOSENECK", "G3", {"manufactured_on": last}),
    ]
    unaffected = [
        ("GOOSENECK", "G4", {"manufactured_on": first - datetime.timedelta(days=1)}),
        ("GOOSENECK", "G5", {"manufactured_on": last + datetime.timedelta(days=1)}),
        ("GOOSENECK", "G6", {}),
    ]
    return criteria, affected, unaffected


def nordic_trailers_tc(case):
    # Twelve trailer models of 2001-2003; the wrong VIN character does not
    # change which units are affected, only how the shop finds them.
    models = [f"NORDIC-{index}" for index in range(1, 13)]
    criteria = [
        {
            "products": models,
            "manufactured_from": datetime.date(2001, 1, 1),
            "manufactured_until": datetime.date(2003, 12, 31),
        }
    ]
    affected = [
        ("NORDIC-1", "T1", {"manufactured_on": datetime.date(2001, 3, 1)}),
        ("NORDIC-12", "T2", {"manufactured_on": datetime.date(2003, 12, 31)}),
    ]
    unaffected = [
        ("NORDIC-1", "T3", {"manufactured_on": datetime.date(2004, 1, 1)}),
        ("OTHER-TRAILER", "T4", {"manufactured_on": datetime.date(2002, 1, 1)}),
    ]
    return criteria, affected, unaffected


def note7_expanded(case):
    skus = [sku for sku, _upc in case["values_from_source_first"]]
    # The expanded recall covers originals and replacements alike: every unit of the SKUs.
    criteria = [{"products": skus}]
    affected = [(sku, f"R58H{index}0001", {}) for index, sku in enumerate(skus)]
    affected.append((skus[0], "R58H00002-REPLACEMENT", {}))
    unaffected = [("SM-N920W8", "R58H90001", {})]
    return criteria, affected, unaffected


CASES = {
    "cpsc-2008-goodman-gas-electric": goodman_gas_electric,
    "dometic-2008-rv-refrigerators": dometic_refrigerators,
    "goodman-2014-ptac-expansion": goodman_ptac,
    "cpsc-1991-aosmith-water-heaters": aosmith_water_heaters,
    "cpsc-2009-stork-craft-cribs": stork_craft_cribs,
    "cpsc-2015-pedego-batteries": pedego_batteries,
    "fda-Z-0971-2018": infusion_pumps_z0971,
    "fda-Z-1375-2021": bezel_z1375,
    "fda-Z-0058-2013": rapid_infuser_z0058,
    "fda-Z-0650-2010": syringe_pump_z0650,
    "fda-Z-0400-2017": pet_pump_z0400,
    "fda-Z-0646-2009": simulator_belts_z0646,
    "nhtsa-22V356000": trailers_22v356,
    "nhtsa-17V494000": gooseneck_17v494,
    "tc-2003114-nordic-trailers": nordic_trailers_tc,
    "hc-2016-note7-expanded": note7_expanded,
}


def create_units(actor, examples) -> dict[str, int]:
    ids = {}
    for model, serial, fields in examples:
        fields = dict(fields)
        host = fields.pop("host", None)
        unit = make_unit(actor, model, serial, **fields)
        if host:
            install(actor, unit, make_unit(actor, *host))
        ids[serial] = unit.pk
    return ids


def test_table_covers_every_case():
    assert set(CASES) == set(load_cases())


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_real_recall_pattern(clerk, case_id):
    case = load_cases()[case_id]
    criteria, affected, unaffected = CASES[case_id](case)
    recall = make_recall(clerk, criteria, reference=case_id)
    affected_ids = create_units(clerk, affected)
    unaffected_ids = create_units(clerk, unaffected or [])

    matched = set(recall_match(recall).values_list("pk", flat=True))

    missed = sorted(serial for serial, pk in affected_ids.items() if pk not in matched)
    wrongly = sorted(serial for serial, pk in unaffected_ids.items() if pk in matched)
    assert missed == []
    assert wrongly == []


def test_component_recall_lists_host_systems(clerk):
    case = load_cases()["fda-Z-0646-2009"]
    criteria, affected, _ = simulator_belts_z0646(case)
    recall = make_recall(clerk, criteria, reference=case["id"])
    create_units(clerk, affected)

    recall_run_matching(recall=recall, actor=clerk)

    hosts = {
        entry.unit.installed_in.product.model_number
        for entry in affected_units_with_assemblies(recall)
    }
    assert hosts == set(case["affected"]["host_models"])
