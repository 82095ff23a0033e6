import pytest

from models.document import Document
from pipeline import clean, extract, ingest, segment
from pipeline.extract.costs import check_sums, find_tables, label_category, table_to_costs
from pipeline.options import Options
from tests.conftest import SLUTRAPPORTER


@pytest.fixture(scope="module")
def reports() -> list[Document]:
    doc = clean.run(ingest.run(Document(source_file=str(SLUTRAPPORTER)), Options()), Options())
    parts = segment.split(doc, Options())
    return [extract.run(segment.run(part, Options()), Options()) for part in parts]


def costs_of(doc: Document) -> list[tuple[str, str, int | None]]:
    return [(c.category, c.kind, c.amount_sek) for c in doc.costs]


def test_project_fields_of_each_slutrapport(reports):
    assert [(d.project_name, str(d.period_start), str(d.period_end), d.granted_sek) for d in reports] == [
        ("Arbetsmarknadstorg i Härnösand", "2022-01-01", "2022-12-31", None),
        ("Hälsoprojektet – Kompetenscenter Timrå", "2019-02-01", "2020-02-01", None),
        (
            "Arbetsförmedlare i samverkan med Arbetsmarknadstorget Härnösand och Kompetenscenter Timrå 2022",
            "2022-08-01",
            "2022-12-31",
            280000,
        ),
        ("Stärkt samverkan och parallella insatser", "2022-01-01", "2022-12-31", 400000),
        ("Samverkansmodell Timrå- SIP/SKIP", "2021-06-01", "2022-05-31", 620000),
    ]
    assert all(len(d.projects) == 1 for d in reports)


def test_cost_rows_exact(reports):
    assert costs_of(reports[0]) == [
        ("personnel", "budget", 746671),
        ("personnel", "outcome", 746671),
        ("premises", "budget", 97541),
        ("premises", "outcome", 97541),
        ("material", "budget", 25000),
        ("material", "outcome", 25000),
        ("travel", "budget", 5000),
        ("travel", "outcome", 5000),
        ("other", "budget", 3000),
        ("other", "outcome", 3000),
        ("total", "budget", 877212),
        ("total", "outcome", 877212),
    ]
    assert costs_of(reports[1]) == [
        ("personnel", "outcome", 1234394),
        ("premises", "outcome", 125000),
        ("material", "outcome", 13913),
        ("total", "budget", 1130000),
        ("total", "outcome", 1373307),
    ]
    assert costs_of(reports[2]) == [("personnel", "budget", 280000), ("personnel", "outcome", 252528)]
    assert costs_of(reports[3]) == [("activities", "budget", 25000), ("personnel", "budget", 375000)]
    assert costs_of(reports[4]) == [("personnel", "budget", 620000), ("personnel", "outcome", 620000)]
    # The label stays as written, including the form's own instructions and additions.
    assert reports[1].costs[2].label == "Material (ange typ av material) Träningskort och material"


def test_table_across_a_page_break_skips_the_letterhead(reports):
    # The second report's table breaks across pages with a letterhead in between.
    pages = {c.category: c.page for c in reports[1].costs}
    assert pages["total"] == pages["personnel"] + 1


def test_duplicated_cost_table_is_kept_once_and_warned(reports):
    # The repeated page is blanked by segment; its cost table is not read twice.
    assert len(reports[3].costs) == 2
    assert any("repeats page" in w for w in reports[3].warnings)


def test_a_table_repeated_within_the_text_is_read_once():
    from pipeline.extract import extract_costs

    table = "Kostnadsslag\tBudget\tUtfall\nLön\t100\t90\nSumma\t100\t90\n"
    doc = Document(source_file="x.txt", source_sha256="ab" * 32, text=table + "\n" + table)
    extract_costs(doc, None)
    assert len(doc.costs) == 4 and any(w.startswith("duplicated cost table") for w in doc.warnings)


def test_sum_checks():
    assert any("has no line amounts" in w for w in [*check_sums([], "x"), *reports_warnings()])


def reports_warnings() -> list[str]:
    text = "Kostnadsslag\tBudget\tUtfall\nLön\t100\t90\nHyra\t50\t50\nSumma\t150\t150\n"
    (table,) = find_tables(text)
    rows, warnings = table_to_costs(table, "costs-1", "d-0", None, lambda offset: 1)
    assert warnings == ["costs-1: outcome lines sum to 140, Summa says 150"]
    text2 = "Kostnadsslag\tBudget\tUtfall\nLön\t\t\nSumma\t1 000\t\n"
    return table_to_costs(find_tables(text2)[0], "costs-1", "d-0", None, lambda offset: 1)[1]


def test_doubtful_amount_is_kept_as_read_and_flagged():
    text = "Kostnadsslag\tBudget\tUtfall\nLönekostnader\t3 75,1 000\t\n"
    rows, warnings = table_to_costs(find_tables(text)[0], "costs-1", "d-0", None, lambda offset: 1)
    assert [(r.amount_sek, r.amount_raw, r.confidence < 0.5) for r in rows] == [(None, "3 75,1 000", True)]
    assert warnings and "doubtful amount" in warnings[0]


@pytest.mark.parametrize(
    ("label", "category"),
    [
        ("Lönekostnader", "personnel"),
        ("Kostnadsslag", "unknown"),
        ("Summa", "total"),
        ("Övriga kostnader (ange typ av övriga kostnader)", "other"),
        ("Hyra", "premises"),
        ("Externa tjänster (typ av köpt tjänst)", "external_services"),
    ],
)
def test_cost_categories_come_from_the_synonym_file(label, category):
    assert label_category(label) == category


def test_parties_of_the_first_report(reports):
    """Organisations normalised to the gazetteer, the name as written kept beside them."""
    parties = [(p.role, p.organisation, p.organisation_raw, p.person, p.email) for p in reports[0].parties]
    unit = "Härnösands kommun, arbetslivsförvaltningen, Arbete och Integration"
    assert parties == [
        (
            "federation",
            "Samordningsförbundet Härnösand-Timrå",
            "Samordningsförbundet Härnösand Timrå",
            "Ulrika Sahlin",
            "ulrika.sahlin@timra.se",
        ),
        ("owner", "Härnösands kommun", unit, None, None),
        ("contact", "Härnösands kommun", unit, "Issam Sassi", "issam.sassi@harnosand.se"),
        ("co_applicant", "Arbetsförmedlingen", "Arbetsförmedlingen Härnösand", None, None),
        (
            "contact",
            "Arbetsförmedlingen",
            "Arbetsförmedlingen Härnösand",
            "Hans Skimmermo",
            "hans.skimmermo@abetsformedlingen.se",
        ),
        ("signatory", "Härnösands kommun", None, None, None),
        ("signatory", "Arbetsförmedlingen", "ARBETSFORMEDLINGEN", None, None),
    ]
    assert [p.confidence for p in reports[0].parties] == [0.9] * 5 + [1.0, 0.9]
    # The project keeps its applicants as written.
    project = reports[0].projects[0]
    assert project.owner == unit and project.co_applicants == ["Arbetsförmedlingen Härnösand"]


def test_organisation_is_the_forbund(reports):
    assert {d.organisation for d in reports} <= {
        "Samordningsförbundet Härnösand-Timrå",
        "Samordningsförbundet Härnösand Timrå",
    }


def test_federation_is_the_most_named_forbund_and_genitive_is_its_base_form():
    from pipeline.extract.projects import federation_name

    text = (
        "Samordningsförbundet Skellefteå-Norsjös styrelse. Samordningsförbundet Skellefteå-Norsjö beslutar."
    )
    assert federation_name(text) == "Samordningsförbundet Skellefteå-Norsjö"
    assert federation_name("Inget förbund här.") is None


# The cost table of samples/generated/slutrapport-arbetsmarknadstorg-scan.pdf as Tesseract
# read it (page 5): no tabs, table rules read as `|`, `kr` read as `ki`.
OCR_COST_TABLE = """Kostnadsslag Budget Utfall

Aktiviteter (ange typ av aktivitet t ex. möte, seminarier
mm)

Externa tjänster (typ av köpt tjänst)

Lönekostnader | ; 746 671 kr 746 671 ki
Lokalkostnader 97 541 kr 97 541 kr
Material (ange typ av material) 25 000 kr | 25 000 kr
Resekostnader (ange typ av aktivitet) 5 000 kr I 5 000 kr
Övriga kostnader (ange typ-av övriga kostnader) 3000 ki 3 000 kr
Summa . i 877 212 ki 877 212 kr

7. Underskrifter
"""


def test_ocr_cost_table_is_fitted_to_its_columns():
    (table,) = find_tables(OCR_COST_TABLE)
    rows, warnings = table_to_costs(table, "costs-1", "d-0", None, lambda offset: 5)
    assert [(r.label, r.kind, r.amount_sek) for r in rows][:4] == [
        ("Lönekostnader", "budget", 746671), ("Lönekostnader", "outcome", 746671),
        ("Lokalkostnader", "budget", 97541), ("Lokalkostnader", "outcome", 97541),
    ]  # fmt: skip
    assert [(r.category, r.amount_sek) for r in rows if r.kind == "outcome"] == [
        ("personnel", 746671), ("premises", 97541), ("material", 25000), ("travel", 5000), ("other", 3000),
        ("total", 877212),
    ]  # fmt: skip
    assert warnings == [] and {r.confidence for r in rows} == {0.8}


def test_ocr_row_with_fewer_numbers_than_columns_is_flagged_not_guessed():
    text = "Kostnadsslag Budget Utfall\nLönekostnader 1 234 394\nSumma 1 234 394 1 373 307\n"
    rows, warnings = table_to_costs(find_tables(text)[0], "costs-1", "d-0", None, lambda offset: 1)
    assert rows[0].confidence == 0.5 and any("uncertain" in w for w in warnings)
    assert [(r.kind, r.amount_sek) for r in rows[1:]] == [("budget", 1234394), ("outcome", 1373307)]


def test_budget_tables_with_year_columns_in_tkr():
    from tests.conftest import VERKSAMHETSPLAN

    tables = find_tables(VERKSAMHETSPLAN.read_text(encoding="utf-8"))
    assert [(t.header_label, [y for _, y in t.columns], t.unit) for t in tables] == [
        ("Intakter", [2018, 2019, 2020], "tkr"),
        ("", [2018, 2019, 2020], "tkr"),
        ("", [2017, 2018, 2019, 2020], "tkr"),
    ]  # fmt: skip
    income, costs, result = (table_to_costs(t, "b", "d-0", None, lambda o: 9) for t in tables)
    assert ("Harndsands kommun", "income", 2018, 480500) in [
        (r.label, r.category, r.year, r.amount_sek) for r in income[0]
    ]
    assert [r.amount_sek for r in costs[0] if r.label == "Summa kostnader"] == [3844000] * 3
    assert costs[1] == [] and income[1] == []  # the lines add up to their Summa rows
    kinds = [(r.kind, r.year, r.amount_sek) for r in result[0] if r.label == "Verksamhetens kostnader"]
    assert kinds == [("forecast", 2017, -4397000), ("budget", 2018, -3844000), ("plan", 2019, -3844000),
                     ("plan", 2020, -3844000)]  # fmt: skip


def test_ansokan_table_per_year():
    from tests.conftest import SAMPLES

    text = (SAMPLES / "protokoll-ansokan-statusrapport-2015-skelleftea-norsjo.txt").read_text(
        encoding="utf-8"
    )
    (table,) = find_tables(text)
    rows, _ = table_to_costs(table, "costs-1", "d-0", None, lambda offset: 1)
    assert [(r.label, r.year, r.amount_sek) for r in rows][:4] == [
        ("Personal", 2015, 100000), ("Personal", 2016, 260000),
        ("Lokal", 2015, 20000), ("Lokal", 2016, 30000),
    ]  # fmt: skip
    assert ("Summa kostnader", None, 410000) in [(r.label, r.year, r.amount_sek) for r in rows]


def test_year_headers_are_found_as_the_whole_scan_finds_them():
    import random

    from pipeline.extract.cost_tables import YEAR_HEADER, year_headers
    from tests.conftest import SAMPLES

    def found(matches) -> list:
        return [(m.span(), m.groupdict()) for m in matches]

    texts = [path.read_text(encoding="utf-8") for path in sorted(SAMPLES.glob("*.txt"))]
    assert sum(len(found(YEAR_HEADER.finditer(text))) for text in texts) >= 3
    rng = random.Random(3)
    pieces = ["Intäkter", "Plan", " ", "\t", "\n", "\n", "\r"]
    pieces += ["1990", "2019", "2049", "2050", "1989", "20", "7"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(5000)]
    for text in texts:
        assert found(year_headers(text)) == found(YEAR_HEADER.finditer(text)), repr(text)
