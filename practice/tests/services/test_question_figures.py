"""A question's figure: checked by question_problems(), drawn at save, carried by import and export."""

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from practice.models import Question, Skill
from practice.services.questions import question_problems, question_save

from ..factories import make_question, sample_records
from ..figures.samples import GOOD, HOSTILE, parse_svg

pytestmark = pytest.mark.django_db


def _graph_question(**overrides) -> Question:
    return make_question(
        skill=Skill.objects.get(name="Linear functions"), figure=GOOD["coordinate_plane"], **overrides
    )


def test_saving_draws_the_figure_and_its_text_alternative():
    question = _graph_question()
    root = parse_svg(question.figure_svg)
    assert root.get("role") == "img"
    assert question.figure_alt.startswith("Coordinate plane, x from -5 to 5")
    assert question.figure_alt in question.figure_svg
    question.figure = GOOD["bar_chart"]
    question_save(question=question)
    question.refresh_from_db()
    assert (
        "Bar chart of Books read per month" in question.figure_alt
        and "figure-bar_chart" in question.figure_svg
    )
    question.figure = None
    question.save(update_fields=["figure"])
    question.refresh_from_db()
    assert question.figure_svg == "" and question.figure_alt == ""


def test_question_problems_files_every_figure_problem_under_figure_with_its_path():
    question = Question(skill=Skill.objects.get(name="Circles"), stem="?", type="spr", spr_answers=["1"])
    question.figure = {"kind": "circle", "points": [{"angle": "north"}], "svg": "<svg/>"}
    problems = question_problems(question)
    assert problems["figure"] == [
        "figure: unknown key(s) svg (allowed: kind, alt, alt_mode, title, center_label, points, radii, "
        "chords, arcs, central_angles)",
        "figure.points[0].angle: must be a number",
    ]
    with pytest.raises(ValidationError, match=r"figure\.points\[0\]\.angle: must be a number"):
        question_save(question=question)
    assert not Question.objects.exists()


def test_hostile_label_is_stored_escaped_in_the_drawing():
    spec = json.loads(json.dumps(GOOD["triangle"]))
    spec["side_labels"][1] = HOSTILE[:40]
    question = make_question(skill=Skill.objects.get(name="Right triangles and trigonometry"), figure=spec)
    assert "<script" not in question.figure_svg and "&lt;/text&gt;&lt;script&gt;" in question.figure_svg
    parse_svg(question.figure_svg)


# --- The question file format ---


def _write(tmp_path, records, name="figures.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"format": "prepnexus-questions/1", "questions": records}))
    return path


def _import(path) -> str:
    out = io.StringIO()
    call_command("import_questions", str(path), stdout=out, stderr=out)
    return out.getvalue()


def _math_record(**changes) -> dict:
    return sample_records()[4] | changes  # Math, multiple choice


def test_import_and_export_carry_the_figure_in_json_and_csv(tmp_path):
    records = [_math_record(figure=GOOD["scatterplot"]), sample_records()[5]]
    assert "created 2" in _import(_write(tmp_path, records))
    question = Question.objects.get(external_id=records[0]["external_id"])
    assert question.figure == GOOD["scatterplot"] and question.figure_svg.startswith("<svg")
    exported = io.StringIO()
    call_command("export_questions", stdout=exported)
    by_id = {r["external_id"]: r for r in json.loads(exported.getvalue())["questions"]}
    assert by_id[question.external_id]["figure"] == GOOD["scatterplot"]
    assert by_id[records[1]["external_id"]]["figure"] is None
    as_json = tmp_path / "back.json"
    as_json.write_text(exported.getvalue())
    assert "unchanged 2" in _import(as_json)
    as_csv = tmp_path / "back.csv"
    call_command("export_questions", "--output", str(as_csv), stdout=io.StringIO())
    rows = {row["external_id"]: row for row in csv.DictReader(as_csv.open())}
    assert json.loads(rows[question.external_id]["figure"]) == GOOD["scatterplot"]
    assert rows[records[1]["external_id"]]["figure"] == ""
    assert "unchanged 2" in _import(as_csv)
    records[0]["figure"] = GOOD["histogram"]
    assert "updated 1" in _import(_write(tmp_path, records))
    question.refresh_from_db()
    assert "Histogram" in question.figure_alt


def test_import_refuses_a_bad_figure_with_its_row_and_path_and_a_bad_csv_cell(tmp_path):
    bad = json.loads(json.dumps(GOOD["coordinate_plane"]))
    bad["points"][1]["x"] = "three"
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_questions", str(_write(tmp_path, [_math_record(figure=bad)])), stdout=out, stderr=out
        )
    assert "row 1: figure.points[1].x: must be a number" in out.getvalue()
    path = tmp_path / "bad.csv"
    call_command("export_questions", "--output", str(path), stdout=io.StringIO())  # just the header
    header = path.read_text().splitlines()[0].split(",")
    row = dict.fromkeys(header, "") | {
        key: value for key, value in _math_record().items() if key in header and isinstance(value, str)
    }
    row |= dict(zip(["option_a", "option_b", "option_c", "option_d"], _math_record()["options"], strict=True))
    row["figure"] = '{"kind": "bar_chart", '
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerow(row)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_questions", str(path), stdout=out, stderr=out)
    assert "row 2: figure: not valid JSON" in out.getvalue()
    assert not Question.objects.exists()
