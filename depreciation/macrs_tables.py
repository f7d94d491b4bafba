"""US MACRS GDS percentage tables, as published.

Source: IRS Publication 946, "How To Depreciate Property", Appendix A: Table A-1
(3-, 5-, 7-, 10-, 15- and 20-year property, half-year convention) and Tables A-2 to A-5
(the same classes, mid-quarter convention, placed in service in the first to the fourth
quarter). 3- to 10-year property uses 200% declining balance and 15- and 20-year property
150% declining balance, each switching to straight line. Each value is the percentage of the
unadjusted basis recovered in that recovery year. The tables were typed in by hand.

The published values are the data, not a formula. Most columns equal the recursive rule
(each year's percentage rounded, the next year computed on the rounded remainder), and
tests check that. Two published columns differ from that rule, and both still add up to
100. In 7-year property, second quarter, the table prints 17.85 for year 1 where the rule
gives 17.86, and 3.34 for year 8 where the rule gives 3.33. In 20-year property, first
quarter, it prints 7.000 for year 2 where the rule gives 7.008, and 0.565 for year 21
where the rule gives 0.557.

NOTE: the 3- to 15-year columns match the recursive rule apart from the 7-year case above,
and the tables that the reference cases quote. The 20-year columns were not compared with
a printed copy of the publication; check them against it before relying on them.
"""

from decimal import Decimal


def _column(values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(value) for value in values.split())


#: Recovery classes in years that have tables here.
CLASSES = (3, 5, 7, 10, 15, 20)

#: Table A-1, half-year convention: {recovery class: percentages by recovery year}.
HALF_YEAR = {
    3: _column("33.33 44.45 14.81 7.41"),
    5: _column("20.00 32.00 19.20 11.52 11.52 5.76"),
    7: _column("14.29 24.49 17.49 12.49 8.93 8.92 8.93 4.46"),
    10: _column("10.00 18.00 14.40 11.52 9.22 7.37 6.55 6.55 6.56 6.55 3.28"),
    15: _column("5.00 9.50 8.55 7.70 6.93 6.23 5.90 5.90 5.91 5.90 5.91 5.90 5.91 5.90 5.91 2.95"),
    20: _column(
        "3.750 7.219 6.677 6.177 5.713 5.285 4.888 4.522 4.462 4.461 4.462"
        " 4.461 4.462 4.461 4.462 4.461 4.462 4.461 4.462 4.461 2.231"
    ),
}

#: Tables A-2 to A-5, mid-quarter convention: {quarter placed in service: {class: percentages}}.
MID_QUARTER = {
    # Table A-2, first quarter.
    1: {
        3: _column("58.33 27.78 12.35 1.54"),
        5: _column("35.00 26.00 15.60 11.01 11.01 1.38"),
        7: _column("25.00 21.43 15.31 10.93 8.75 8.74 8.75 1.09"),
        10: _column("17.50 16.50 13.20 10.56 8.45 6.76 6.55 6.55 6.56 6.55 0.82"),
        15: _column(
            "8.75 9.13 8.21 7.39 6.65 5.99 5.90 5.91 5.90 5.91 5.90 5.91 5.90 5.91 5.90 0.74"
        ),
        20: _column(
            "6.563 7.000 6.482 5.996 5.546 5.130 4.746 4.459 4.459 4.459 4.459"
            " 4.460 4.459 4.460 4.459 4.460 4.459 4.460 4.459 4.460 0.565"
        ),
    },
    # Table A-3, second quarter.
    2: {
        3: _column("41.67 38.89 14.14 5.30"),
        5: _column("25.00 30.00 18.00 11.37 11.37 4.26"),
        7: _column("17.85 23.47 16.76 11.97 8.87 8.87 8.87 3.34"),
        10: _column("12.50 17.50 14.00 11.20 8.96 7.17 6.55 6.55 6.56 6.55 2.46"),
        15: _column(
            "6.25 9.38 8.44 7.59 6.83 6.15 5.91 5.90 5.91 5.90 5.91 5.90 5.91 5.90 5.91 2.21"
        ),
        20: _column(
            "4.688 7.148 6.612 6.116 5.658 5.233 4.841 4.478 4.463 4.463 4.463"
            " 4.463 4.463 4.463 4.462 4.463 4.462 4.463 4.462 4.463 1.673"
        ),
    },
    # Table A-4, third quarter.
    3: {
        3: _column("25.00 50.00 16.67 8.33"),
        5: _column("15.00 34.00 20.40 12.24 11.30 7.06"),
        7: _column("10.71 25.51 18.22 13.02 9.30 8.85 8.86 5.53"),
        10: _column("7.50 18.50 14.80 11.84 9.47 7.58 6.55 6.55 6.56 6.55 4.10"),
        15: _column(
            "3.75 9.63 8.66 7.80 7.02 6.31 5.90 5.90 5.91 5.90 5.91 5.90 5.91 5.90 5.91 3.69"
        ),
        20: _column(
            "2.813 7.289 6.742 6.237 5.769 5.336 4.936 4.566 4.460 4.460 4.460"
            " 4.460 4.461 4.460 4.461 4.460 4.461 4.460 4.461 4.460 2.788"
        ),
    },
    # Table A-5, fourth quarter.
    4: {
        3: _column("8.33 61.11 20.37 10.19"),
        5: _column("5.00 38.00 22.80 13.68 10.94 9.58"),
        7: _column("3.57 27.55 19.68 14.06 10.04 8.73 8.73 7.64"),
        10: _column("2.50 19.50 15.60 12.48 9.98 7.99 6.55 6.55 6.56 6.55 5.74"),
        15: _column(
            "1.25 9.88 8.89 8.00 7.20 6.48 5.90 5.90 5.90 5.91 5.90 5.91 5.90 5.91 5.90 5.17"
        ),
        20: _column(
            "0.938 7.430 6.872 6.357 5.880 5.439 5.031 4.654 4.458 4.458 4.458"
            " 4.458 4.458 4.458 4.458 4.458 4.458 4.459 4.458 4.459 3.901"
        ),
    },
}
