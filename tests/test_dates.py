"""Tests for pipeline.extract.dates: reading dates and periods without repairing them."""

from datetime import date

import pytest

from pipeline.extract.dates import Period, parse_date, parse_period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022/1/17", date(2022, 1, 17)),
        ("2022-11-21", date(2022, 11, 21)),
        ("221116", date(2022, 11, 16)),
        ("200324", date(2020, 3, 24)),
        ("2023 02 08", date(2023, 2, 8)),
        ("1/2-22", date(2022, 2, 1)),
        ("1/2 2022", date(2022, 2, 1)),
        ("17/1/2022", date(2022, 1, 17)),
        ("2015-09-10", date(2015, 9, 10)),
        ("2015.09.10", date(2015, 9, 10)),
        ("10 september 2015", date(2015, 9, 10)),
        ("den 22 Januari 2016.", date(2016, 1, 22)),
        ("10 sept. 2015", date(2015, 9, 10)),
        ("20220801", date(2022, 8, 1)),
        ("22-11-14", date(2022, 11, 14)),
        ("35/11/14", date(2035, 11, 14)),  # 35 can be neither month nor day
        ("991231", date(1999, 12, 31)),  # two-digit years 70-99 -> 19xx
        ("690101", date(2069, 1, 1)),  # two-digit years 00-69 -> 20xx
        ("Härnösand 2022/1/17", date(2022, 1, 17)),
        ("Ort och datum: Sundsvall 2022-11-21", date(2022, 11, 21)),
        ("Ort och datum: *Timrå 221116*", date(2022, 11, 16)),
        ("Ort och datum: 1/2-22 Härnösand", date(2022, 2, 1)),
        ("möte 2015-09-10 och 2015-10-01", date(2015, 9, 10)),  # the first one
    ],
)
def test_parse_date_reads(text, expected):
    assert parse_date(text) == (expected, None)


def test_parse_date_slash_year_first_is_flagged_when_day_first_also_fits():
    found, warning = parse_date("Timrå 22/11/14")
    assert found == date(2022, 11, 14)
    assert "YY/MM/DD" in warning and "2014-11-22" in warning


@pytest.mark.parametrize(
    ("text", "warning_part"),
    [
        ("Timrå 2021/16", "no complete date"),
        ("2015-", "no complete date"),
        ("2022-13-01", "impossible date '2022-13-01'"),
        ("2022-02-30", "impossible date"),
        ("2021-02-29", "impossible date"),
        ("220230", "impossible date '220230'"),
        ("05/11/14", "ambiguous"),
        ("31 februari 2022", "impossible date"),
        ("Organisationsnummer 212000-2643", "no complete date"),
        ("Personnummer 850101-1234", "no complete date"),  # id, not 1985-01-01
        ("Beviljat medel: 620000", "no complete date"),
    ],
)
def test_parse_date_refuses_with_warning(text, warning_part):
    found, warning = parse_date(text)
    assert found is None
    assert warning_part in warning


@pytest.mark.parametrize("text", ["", "Anna Andersson", "Ort och datum:"])
def test_parse_date_nothing_without_digits(text):
    assert parse_date(text) == (None, None)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2022-01-01\u20142022-12-31", date(2022, 1, 1), date(2022, 12, 31)),
        ("2019-02-01 tom 2020-02-01", date(2019, 2, 1), date(2020, 2, 1)),
        ("20220801\u201320221231", date(2022, 8, 1), date(2022, 12, 31)),
        ("210601-220531", date(2021, 6, 1), date(2022, 5, 31)),
        ("2022-01-01-2022-12-31", date(2022, 1, 1), date(2022, 12, 31)),
        ("2015-04-01 \u2013 2015-12-31", date(2015, 4, 1), date(2015, 12, 31)),
        ("fr.o.m. 2019-02-01 t.o.m. 2020-02-01", date(2019, 2, 1), date(2020, 2, 1)),
        ("2019\u20132020", date(2019, 1, 1), date(2020, 12, 31)),
        ("2019-2020", date(2019, 1, 1), date(2020, 12, 31)),
        ("1 januari till 30 juni 2021", date(2021, 1, 1), date(2021, 6, 30)),
        ("1 jan - 30 jun 2021", date(2021, 1, 1), date(2021, 6, 30)),
        ("Jan\u2013Jun 2021", date(2021, 1, 1), date(2021, 6, 30)),
        ("januari-oktober 2022", date(2022, 1, 1), date(2022, 10, 31)),
        ("feb\u2013feb 2024", date(2024, 2, 1), date(2024, 2, 29)),
        ("1\u201330 juni 2021", date(2021, 6, 1), date(2021, 6, 30)),
        ("1 januari 2021 \u2013 30 juni 2021", date(2021, 1, 1), date(2021, 6, 30)),
        ("  Tidsperiod: 2022-01-01\u20142022-12-31 ", date(2022, 1, 1), date(2022, 12, 31)),
    ],
)
def test_parse_period_reads(text, start, end):
    assert parse_period(text) == Period(start, end, text.strip(), None)


@pytest.mark.parametrize(
    ("text", "start", "end", "warning_part"),
    [
        ("2022-12-31 - 2022-01-01", date(2022, 12, 31), date(2022, 1, 1), "before start"),
        ("2020-2019", date(2020, 1, 1), date(2019, 12, 31), "before start"),
        ("1 nov - 31 jan 2022", date(2022, 11, 1), date(2022, 1, 31), "before start"),
        ("2022-01-01\u20142022-13-31", date(2022, 1, 1), None, "impossible date"),
        ("2022-02-30 - 2022-12-31", None, date(2022, 12, 31), "impossible date"),
        ("2022-01-01 och 2022-02-01", date(2022, 1, 1), date(2022, 2, 1), "range separator"),
        ("2021-01-01 - 2021-06-30, 2021-12-31", date(2021, 1, 1), date(2021, 6, 30), "more than two dates"),
        ("2021", None, None, "no complete period"),
        ("2022-01-01", None, None, "no complete period"),
        ("2015-", None, None, "no complete period"),
    ],
)
def test_parse_period_flags_what_looks_wrong(text, start, end, warning_part):
    period = parse_period(text)
    assert (period.start, period.end, period.raw) == (start, end, text)
    assert warning_part in period.warning


@pytest.mark.parametrize("text", ["", "Ord utan datum", "20 deltagare", "20 21"])
def test_parse_period_none_without_any_date(text):
    assert parse_period(text) is None
