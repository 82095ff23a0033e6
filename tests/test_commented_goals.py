"""The förbund's own goals followed up with `Kommentar:` in a delårsrapport."""

from pathlib import Path

from pipeline.extract.commented_goals import commented_goals, is_cue
from pipeline.options import Options
from pipeline.runner.stages import process_file
from tests.conftest import DELARSRAPPORT, ROOT

TRUTH = ROOT / "samples/ground-truth/delarsrapport-2021-harnosand-timra.lines-099-170.gt.txt"


def test_goals_and_their_comments_in_the_hand_corrected_text():
    text = Path(TRUTH).read_text(encoding="utf-8")
    federation, funded = text.split("1.3.2", 1)
    rows, warnings = commented_goals(federation, "d-0", lambda offset: 1)
    assert [r.goal[:30] for r in rows] == [
        "Minst 50 medarbetare hos förbu", "Genomföra en behovsanalys - ut",
        "Genomföra ett medlemssamråd", "Sprida kunskap om Samordningsf",
    ]  # fmt: skip
    assert rows[2].outcome.startswith("Verkställande tjänsteman sitter med i arbetsgruppen")
    assert {r.achieved for r in rows} == {None} and {r.project_id for r in rows} == {None} and warnings == []
    rows, _ = commented_goals(funded, "d-0", lambda offset: 1, start=5)
    # Two goals listed, one comment: it belongs to the last; the first gets no outcome.
    assert [(r.goal_id, r.outcome is None) for r in rows] == [("d-0-g5", True), ("d-0-g6", False)]


def test_ocr_damaged_cue_words():
    assert all(is_cue(w) for w in ("Kommentar", "l(ommentar", "Kamtnentdr", "llorTUnent.rrr", "lhmmentor"))
    assert not any(is_cue(w) for w in ("Projektägare", "Projel{t.igare", "Övergripande", "Kontaktperson"))


def test_followed_up_goals_of_the_mangled_sample():
    (doc,) = process_file(DELARSRAPPORT, Options())
    own = [g for g in doc.goals if g.project_id is None]
    assert len(own) >= 5 and len({g.goal_id for g in doc.goals}) == len(doc.goals)
    assert sum(g.outcome is not None for g in own) >= 3
