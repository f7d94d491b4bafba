"""Code 128 encoder: text to symbol values, check symbol and module widths.

Written here because python-barcode 0.16.1 drops digits from some numeric
values (its Code 128 for "999999" decodes as "9999" and "990001" as "0001").
The encoder picks code sets A, B and C by dynamic programming, so the symbol
has the fewest symbol characters the data allows, and includes FNC1 for
GS1-128. Symbol values, patterns and the mod 103 check follow ISO/IEC 15417.
"""

from dataclasses import dataclass

#: Bar and space widths in modules of symbol values 0-105, starting with a bar.
PATTERNS = (  # noqa: SIM905 (a list literal of 106 strings reads worse)
    "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 "
    "221312 231212 112232 122132 122231 113222 123122 123221 223211 221132 "
    "221231 213212 223112 312131 311222 321122 321221 312212 322112 322211 "
    "212123 212321 232121 111323 131123 131321 112313 132113 132311 211313 "
    "231113 231311 112133 112331 132131 113123 113321 133121 313121 211331 "
    "231131 213113 213311 213131 311123 311321 331121 312113 312311 332111 "
    "314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 "
    "112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 "
    "111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 "
    "214121 412121 111143 111341 131141 114113 114311 411113 411311 113141 "
    "114131 311141 411131 211412 211214 211232"
).split()
#: The stop pattern is 7 elements (13 modules): the usual 6 plus a final 2-module bar.
STOP_PATTERN = "2331112"

SHIFT = 98
CODE_C = 99
CODE_B = 100
CODE_A = 101
FNC1 = 102
START = {"A": 103, "B": 104, "C": 105}
STOP = 106
#: Value that switches to each code set (the same value in every set it is valid in).
SWITCH = {"A": CODE_A, "B": CODE_B, "C": CODE_C}
#: Modules of light space required on each side of the symbol.
QUIET_ZONE_MODULES = 10


class Code128Error(ValueError):
    """The text contains a character that Code 128 cannot encode."""


@dataclass(frozen=True)
class Fnc1:
    """Marker for the FNC1 function character in the data (GS1-128)."""


FNC1_MARK = Fnc1()

Item = str | Fnc1


def _value_in_set(char: str, code_set: str) -> int | None:
    code = ord(char)
    if code_set == "A":
        if 32 <= code <= 95:
            return code - 32
        if code < 32:
            return code + 64
        return None
    if code_set == "B":
        return code - 32 if 32 <= code <= 127 else None
    return None


def _is_digit(item: Item) -> bool:
    return isinstance(item, str) and "0" <= item <= "9"


def check_encodable(text: str) -> None:
    """Raise Code128Error naming the first character outside ASCII 0-127."""
    for position, char in enumerate(text, start=1):
        if ord(char) > 127:
            raise Code128Error(
                f"{text!r} contains {char!r} (U+{ord(char):04X}) at position {position}, "
                "but Code 128 encodes only ASCII characters 0-127."
            )


def _steps_from(items: list[Item], position: int, code_set: str):
    """Yield (next position, values) for each way to encode what starts at position in code_set."""
    item = items[position]
    if isinstance(item, Fnc1):
        yield position + 1, (FNC1,)
        return
    if code_set == "C":
        if position + 1 < len(items) and _is_digit(item) and _is_digit(items[position + 1]):
            yield position + 2, (int(item + items[position + 1]),)
        return
    value = _value_in_set(item, code_set)
    if value is not None:
        yield position + 1, (value,)
        return
    other = "B" if code_set == "A" else "A"
    shifted = _value_in_set(item, other)
    if shifted is not None:
        yield position + 1, (SHIFT, shifted)


def symbol_values_for_items(items: list[Item]) -> list[int]:
    """Return the start value and data values encoding items in the fewest symbols.

    Costs compare (symbol count, code set switches), so among encodings of the
    same length the one with fewer switches wins. Ties left after that prefer
    code set B, then C, then A, in that order.
    """
    if not items:
        raise Code128Error("There is nothing to encode; Code 128 needs at least one character.")
    sets = ("B", "C", "A")
    infinity = (len(items) * 4 + 10, 0)
    # best[position][set] = (cost, previous state, values emitted on the way in)
    best: list[dict[str, tuple]] = [dict() for _ in range(len(items) + 1)]
    for code_set in sets:
        best[0][code_set] = ((1, 0), None, (START[code_set],))
    for position in range(len(items) + 1):
        # A switch costs one symbol. Every set switches directly to every
        # other, so one pass finds the cheapest switch at this position.
        for source in [code_set for code_set in sets if code_set in best[position]]:
            cost = best[position][source][0]
            for target in sets:
                if target == source:
                    continue
                new_cost = (cost[0] + 1, cost[1] + 1)
                current = best[position].get(target, (infinity,))[0]
                if new_cost < current:
                    best[position][target] = (new_cost, (position, source), (SWITCH[target],))
        if position == len(items):
            break
        for code_set in sets:
            if code_set not in best[position]:
                continue
            cost = best[position][code_set][0]
            for next_position, values in _steps_from(items, position, code_set):
                new_cost = (cost[0] + len(values), cost[1])
                current = best[next_position].get(code_set, (infinity,))[0]
                if new_cost < current:
                    best[next_position][code_set] = (new_cost, (position, code_set), values)
    end = min(
        (state for state in best[len(items)].items()),
        key=lambda entry: (entry[1][0], sets.index(entry[0])),
    )
    values: list[int] = []
    state: tuple[int, str] | None = (len(items), end[0])
    while state is not None:
        position, code_set = state
        _cost, previous, emitted = best[position][code_set]
        values[:0] = emitted
        state = previous
    return values


def symbol_values(text: str) -> list[int]:
    """Return the start value and data values for text (without check symbol and stop).

    Raises Code128Error for an empty text or a character outside ASCII 0-127.
    """
    check_encodable(text)
    return symbol_values_for_items(list(text))


def check_value(values: list[int]) -> int:
    """Return the mod 103 check symbol: start value plus each data value times its position."""
    total = values[0] + sum(position * value for position, value in enumerate(values[1:], start=1))
    return total % 103


def module_widths(values: list[int]) -> list[int]:
    """Return bar and space widths in modules for values plus check symbol and stop, bar first."""
    widths = [int(width) for value in values for width in PATTERNS[value]]
    widths += [int(width) for width in PATTERNS[check_value(values)]]
    widths += [int(width) for width in STOP_PATTERN]
    return widths


#: GS1 application identifiers (by their first two digits) whose element has a
#: predefined length in the GS1 General Specifications, AI digits included.
#: No FNC1 separator follows these elements.
GS1_PREDEFINED_LENGTHS = {
    "00": 20, "01": 16, "02": 16, "03": 16, "04": 18,
    "11": 8, "12": 8, "13": 8, "14": 8, "15": 8, "16": 8, "17": 8, "18": 8, "19": 8,
    "20": 4, "31": 10, "32": 10, "33": 10, "34": 10, "35": 10, "36": 10, "41": 16,
}  # fmt: skip


def gs1_items(elements: list[tuple[str, str]]) -> list[Item]:
    """Return the data items of a GS1-128 symbol for (application identifier, value) pairs.

    FNC1 comes first, and again after each variable-length element that is
    not the last one. Raises Code128Error for a non-numeric identifier or a
    fixed-length element of the wrong length.
    """
    items: list[Item] = [FNC1_MARK]
    for index, (identifier, value) in enumerate(elements):
        if not identifier.isascii() or not identifier.isdigit() or not 2 <= len(identifier) <= 4:
            raise Code128Error(f"GS1 application identifier {identifier!r} must be 2 to 4 digits.")
        check_encodable(value)
        expected = GS1_PREDEFINED_LENGTHS.get(identifier[:2])
        length = len(identifier) + len(value)
        if expected is not None and length != expected:
            raise Code128Error(
                f"GS1 element ({identifier}){value} has {length} characters with its "
                f"identifier; ({identifier}) requires {expected}."
            )
        items.extend(identifier + value)
        if expected is None and index < len(elements) - 1:
            items.append(FNC1_MARK)
    return items
