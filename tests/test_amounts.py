"""Tests for pipeline.extract.amounts: reading SEK amounts without inventing any."""

import pytest

from pipeline.extract.amounts import Amount, find_amounts, parse_amount

NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"


@pytest.mark.parametrize(
    ("text", "default_unit", "value", "unit"),
    [
        ("746 671 kr", None, 746671, "kr"),
        ("25.000 kr", None, 25000, "kr"),
        ("1 234 394", None, 1234394, None),
        ("3000 kr", None, 3000, "kr"),
        ("480,5", "tkr", 480500, None),
        ("480,5 tkr", None, 480500, "tkr"),
        ("-4 397", None, -4397, None),
        ("\u22124 397", None, -4397, None),
        ("5 000:-", None, 5000, "kr"),
        ("5 000,-", None, 5000, "kr"),
        ("280 000kr", None, 280000, "kr"),
        ("400.000", None, 400000, None),
        ("620000", None, 620000, None),
        ("1 180 000 kr", None, 1180000, "kr"),
        ("3 844 tkr", None, 3844000, "tkr"),
        ("2900 tkr", None, 2900000, "tkr"),
        ("120 000kr", None, 120000, "kr"),
        ("600 000 kronor", None, 600000, "kr"),
        ("1,2 mkr", None, 1200000, "mkr"),
        ("1,2 miljoner kronor", None, 1200000, "mkr"),
        ("30 000 kr", None, 30000, "kr"),
        ("30 000 SEK", None, 30000, "kr"),
        ("30 000 kr.", None, 30000, "kr"),
        (f"1{NBSP}234{NNBSP}567 kr", None, 1234567, "kr"),
        (f"12{THIN}500", None, 12500, None),
        ("  97 541 kr  ", None, 97541, "kr"),
        ("1 234,50 kr", None, 1235, "kr"),  # öre rounded half up
        ("1 234,49 kr", None, 1234, "kr"),
        ("-0,50 kr", None, -1, "kr"),  # half up = away from zero
        ("1.234,50 kr", None, 1235, "kr"),
        ("1.5 tkr", None, 1500, "tkr"),
        ("1 234", "mkr", 1234000000, None),
        ("1 234 tkr", "mkr", 1234000, "tkr"),  # a written unit beats the default
    ],
)
def test_parse_amount_reads_value(text, default_unit, value, unit):
    amount = parse_amount(text, default_unit)
    assert amount is not None
    assert (amount.value, amount.unit) == (value, unit)
    assert amount.doubtful is False
    assert amount.warning is None
    assert amount.raw == text.strip()


@pytest.mark.parametrize(
    ("text", "default_unit", "warning_part"),
    [
        ("3 75,1 000", None, "irregular digit grouping in '3 75,1 000'"),
        ("3 75,1 000 kronor", None, "irregular digit grouping"),
        ("861 36", None, "irregular digit grouping"),
        ("1 23 456 kr", None, "irregular digit grouping"),
        ("1234 567 kr", None, "irregular digit grouping"),
        ("1 234.567", None, "irregular digit grouping"),
        ("1.2345 kr", None, "irregular digit grouping"),
        ("1,234 kr", None, "thousands or öre"),
        ("480,5", None, "without a currency unit"),
        ("1.5", None, "without a currency unit"),
    ],
)
def test_parse_amount_refuses_unreadable_number(text, default_unit, warning_part):
    amount = parse_amount(text, default_unit)
    assert amount is not None
    assert amount.value is None
    assert amount.doubtful is True
    assert warning_part in amount.warning
    assert amount.raw == text


@pytest.mark.parametrize(
    ("text", "value", "warning_part"),
    [
        ("1,2345 tkr", 1235, "not a whole number of kronor"),
        ("\u20134 397", -4397, "dash read as minus"),
    ],
)
def test_parse_amount_flags_value_it_had_to_interpret(text, value, warning_part):
    amount = parse_amount(text)
    assert amount == Amount(value, text, amount.unit, True, amount.warning)
    assert warning_part in amount.warning


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "kr",
        "kronor",
        "tkr",
        "ord",
        "2 UL)t",
        "12,3 %",
        "2022-01-01",
        "SFS 2003:1210",
        "1 2O0 kr",
        "ca 500 kr",
    ],
)
def test_parse_amount_none_without_an_amount(text):
    assert parse_amount(text) is None


def test_parse_amount_rejects_unknown_default_unit():
    with pytest.raises(ValueError):
        parse_amount("100", "öre")


def _found(text, default_unit=None):
    return [(text[start:end], amount.value) for start, end, amount in find_amounts(text, default_unit)]


def test_find_amounts_offsets_and_values():
    text = "Projektet fick 30 000 kr år 2021 och 1,2 mkr samt 5 000:- i bidrag."
    found = find_amounts(text)
    assert [(text[s:e], a.value, a.unit) for s, e, a in found] == [
        ("30 000 kr", 30000, "kr"),
        ("1,2 mkr", 1200000, "mkr"),
        ("5 000:-", 5000, "kr"),
    ]
    assert all(a.raw == text[s:e] for s, e, a in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("uppgick till 746 671 kr.", [("746 671 kr", 746671)]),
        ("totalt 3 844 tkr till", [("3 844 tkr", 3844000)]),
        ("ca 2900 tkr att", [("2900 tkr", 2900000)]),
        ("med 120 000kr för", [("120 000kr", 120000)]),
        ("bidrag med 600 000 kronor avseende", [("600 000 kronor", 600000)]),
        ("med 25.000 kr per", [("25.000 kr", 25000)]),
        (f"med 1{NBSP}180{NBSP}000{NBSP}kr", [(f"1{NBSP}180{NBSP}000{NBSP}kr", 1180000)]),
        ("Resultat: -4 397 kr", [("-4 397 kr", -4397)]),
        ("Resultat \u22124 397 kr", [("\u22124 397 kr", -4397)]),
        ("Kostnad:30 000 kr", [("30 000 kr", 30000)]),
    ],
)
def test_find_amounts_in_prose(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Under 2021 och 2022 genomfördes insatsen.",
        "Perioden 2022-01-01 till 2022-12-31.",
        "enligt SFS 2003:1210 om finansiell samordning",
        "en ökning med 12,3 % jämfört med 2021",
        "Box 123, 861 36 Timrå, tel 060-12 34 56",
        "Vi träffade 41 deltagare på 3 orter.",
        "",
    ],
)
def test_find_amounts_ignores_numbers_without_currency(text):
    assert find_amounts(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Under 2021 genomfördes insatsen.",
        "Perioden 2022-01-01 till 2022-12-31, beslut 20220801.",
        "enligt SFS 2003:1210",
        "en ökning med 12,3 % och 4 procent",
        "Postadress 861 36 Timrå, tel 060-12 34 56",
        "Den 1 januari och 30 jun",
    ],
)
def test_find_amounts_with_default_unit_still_skips_dates_years_percentages(text):
    assert find_amounts(text, "tkr") == []


def test_find_amounts_with_default_unit_reads_bare_numbers():
    assert _found("Budget 480,5 och utfall 1 200 samt 30 000 kr", "tkr") == [
        ("480,5", 480500),
        ("1 200", 1200000),
        ("30 000 kr", 30000),
    ]


def test_find_amounts_keeps_damaged_amount_as_doubtful():
    text = "Kostnaderna uppgår till 3 75,1 000 kronor, där"
    [(start, end, amount)] = find_amounts(text)
    assert text[start:end] == "3 75,1 000 kronor"
    assert amount.value is None
    assert amount.doubtful is True
    assert "irregular digit grouping in '3 75,1 000'" in amount.warning


def test_find_amounts_does_not_take_part_of_a_damaged_number():
    # The tail '1 000 kr' must not be reported as a clean 1000 kr.
    values = [a.value for _, _, a in find_amounts("summa 3 75,1 000 kr")]
    assert 1000 not in values


def test_find_amounts_year_glued_to_amount_is_doubtful():
    [(_, _, amount)] = find_amounts("Budget 2021 30 000 kr")
    assert amount.value is None and amount.doubtful


def test_find_amounts_flags_hyphen_at_line_start():
    [(_, _, amount)] = find_amounts("Bidrag:\n-30 000 kr till projektet")
    assert amount.value == -30000
    assert amount.doubtful is True
    assert "bullet" in amount.warning


def test_find_amounts_does_not_split_a_dashed_number():
    # '10-20 kr' is a range, not the amounts 10 and -20 / 20 kr.
    assert find_amounts("kostar 10-20 kr") == []
    assert _found("mellan 10 - 20 kr", "tkr") == [("20 kr", 20)]
