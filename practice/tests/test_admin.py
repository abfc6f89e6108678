import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.urls import reverse

from practice.admin import LEARNER_ROWS
from practice.models import BadgeAward, LegacyRecord, Question, Skill, User
from practice.services.answers import answer_submit
from practice.services.variants import variant_create

from .factories import make_question, make_session, make_user, sample_records
from .learning_factories import make_answered_session, make_flashcard

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def _question_form(**overrides):
    skill = Skill.objects.get(name="Percentages")
    data = {
        "external_id": "admin-1",
        "skill": skill.pk,
        "difficulty": "medium",
        "type": "mcq",
        "status": "published",
        "passage": "",
        "passage_b": "",
        "stem": "What is 10% of 50?",
        "explanation": "One tenth of 50 is 5.",
        "spr_answers": "",
        "irt_a": "",
        "irt_b": "",
        "irt_c": "",
        "options-TOTAL_FORMS": "4",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "4",
    }
    for index, (label, text) in enumerate(zip("ABCD", ["5", "10", "0.5", "50"], strict=True)):
        data |= {f"options-{index}-label": label, f"options-{index}-text": text}
    data["options-0-is_correct"] = "on"
    return data | overrides


def test_staff_author_a_question_with_inline_options(staff_client):
    response = staff_client.post(reverse("admin:practice_question_add"), _question_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get(external_id="admin-1")
    assert question.options.count() == 4 and question.options.get(is_correct=True).label == "A"
    assert question.irt_b == 0 and question.irt_c == 0.25 and question.author.is_staff


def test_inline_options_need_exactly_one_correct(staff_client):
    response = staff_client.post(
        reverse("admin:practice_question_add"), _question_form(**{"options-1-is_correct": "on"})
    )
    assert response.status_code == 200
    assert b"Exactly one option must be marked correct (now 2)" in response.content
    response = staff_client.post(
        reverse("admin:practice_question_add"), _question_form(**{"options-0-is_correct": ""})
    )
    assert b"Exactly one option must be marked correct (now 0)" in response.content
    assert not Question.objects.exists()


def test_new_questions_start_as_drafts_whatever_the_form_posts(staff_client):
    response = staff_client.post(reverse("admin:practice_question_add"), _question_form(explanation=""))
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get(external_id="admin-1")
    assert question.status == "draft" and question.events.get().to_status == "draft"


def _import_refusals(tmp_path, record) -> str:
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"format": "prepnexus-questions/1", "questions": [record]}))
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_questions", str(path), stdout=out, stderr=out)
    return out.getvalue()


def test_admin_and_import_refuse_repeated_options_with_the_same_message(staff_client, tmp_path):
    message = "Options A and C are the same."
    response = staff_client.post(
        reverse("admin:practice_question_add"), _question_form(**{"options-2-text": "5"})
    )
    assert response.status_code == 200 and message.encode() in response.content
    record = sample_records()[4]  # Math, multiple choice
    record["options"][2] = record["options"][0]
    assert f"row 1: options: {message}" in _import_refusals(tmp_path, record)
    assert not Question.objects.exists()


def test_admin_and_import_refuse_a_reading_and_writing_spr_question_with_the_same_message(
    staff_client, tmp_path
):
    message = "Reading and Writing questions are multiple choice."
    form = _question_form(skill=Skill.objects.get(name="Transitions").pk, type="spr", spr_answers="3")
    form["options-TOTAL_FORMS"] = "0"
    response = staff_client.post(reverse("admin:practice_question_add"), form)
    assert response.status_code == 200 and message.encode() in response.content
    record = sample_records()[1] | {"type": "spr", "options": [], "correct": None, "answers": ["3"]}
    assert f"row 1: type: {message}" in _import_refusals(tmp_path, record)
    assert not Question.objects.exists()


def test_admin_and_import_refuse_invalid_latex_with_the_same_message(staff_client, tmp_path):
    stem = "Solve for x.\n\n\\(\\frca{2}{3}x = 4\\)"
    response = staff_client.post(reverse("admin:practice_question_add"), _question_form(stem=stem))
    assert response.status_code == 200
    assert "line 3: unknown LaTeX command \\frca" in response.content.decode()
    response = staff_client.post(
        reverse("admin:practice_question_add"), _question_form(**{"options-1-text": "\\(\\sqrt{2\\)"})
    )
    assert "Option B, line 1: unbalanced braces" in response.content.decode()
    record = sample_records()[4] | {"stem": stem}
    assert "row 1: stem, line 3: unknown LaTeX command \\frca" in _import_refusals(tmp_path, record)
    assert not Question.objects.exists()


def test_admin_saves_latex_as_mathml(staff_client):
    form = _question_form(
        stem="If \\(\\frac{2}{3}x = 4\\), what is \\(x^2\\)?", **{"options-0-text": "\\(\\sqrt{5}\\)"}
    )
    response = staff_client.post(reverse("admin:practice_question_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get(external_id="admin-1")
    assert "<mfrac>" in question.stem_html and "<msup>" in question.stem_html
    assert question.options.get(label="A").text_html.startswith('<math display="inline"><mrow><msqrt>')


def test_changelist_filters_and_search(staff_client):
    make_question(stem="Findable walrus question")
    url = reverse("admin:practice_question_changelist")
    for query in [
        "?status__exact=published",
        "?difficulty__exact=hard",
        "?type__exact=spr",
        "?q=walrus",
        "?section=2",
    ]:
        assert staff_client.get(url + query).status_code == 200
    assert b"walrus" in staff_client.get(url + "?q=walrus").content


def test_bulk_publish_and_retire(staff_client):
    ready = make_question(status="in_review")
    unready = make_question(status="in_review", explanation="")
    url = reverse("admin:practice_question_changelist")
    response = staff_client.post(
        url, {"action": "publish_selected", "_selected_action": [ready.pk, unready.pk]}, follow=True
    )
    assert b"Published 1 question(s)." in response.content and b"needs an explanation" in response.content
    ready.refresh_from_db()
    unready.refresh_from_db()
    assert (ready.status, unready.status) == ("published", "in_review")
    staff_client.post(url, {"action": "retire_selected", "_selected_action": [ready.pk]})
    ready.refresh_from_db()
    assert ready.status == "retired"


def test_preview_shows_the_question_as_the_learner_sees_it(staff_client):
    question = make_question(passage="A *short* passage.")
    response = staff_client.get(reverse("admin:practice_question_preview", args=[question.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<em>short</em>" in html and 'class="option"' in html and "Explanation" in html


def test_preview_shows_rendered_math(staff_client):
    question = make_question(stem="What is \\(\\frac{1}{2} + x^2\\)?", explanation="\\[ \\sqrt{4} = 2 \\]")
    response = staff_client.get(reverse("admin:practice_question_preview", args=[question.pk]))
    html = response.content.decode()
    assert "<mfrac>" in html and "<msup>" in html and '<math display="block"><mrow><msqrt>' in html
    assert "\\frac" not in html.split("<main", 1)[1]  # the page title names the question by its source


def test_answer_statistics_are_read_only_on_the_change_page(staff_client):
    learner = make_user()
    session = make_session(learner, count=5)
    question = session.items.get(position=1).question
    answer_submit(session=session, question=question, given="B", key=uuid.uuid4())
    response = staff_client.get(reverse("admin:practice_question_change", args=[question.pk]))
    assert b"1 attempts \xc2\xb7 100% correct \xc2\xb7 median time" in response.content


def test_learners_cannot_open_the_preview(client):
    client.force_login(make_user())
    question = make_question()
    response = client.get(reverse("admin:practice_question_preview", args=[question.pk]))
    assert response.status_code == 302


def test_moving_the_correct_answer_to_an_earlier_option_saves(staff_client):
    question = make_question(status="draft")  # B is correct
    options = list(question.options.order_by("label"))
    data = _question_form(
        external_id=question.external_id, stem=question.stem, explanation=question.explanation
    )
    data |= {"options-INITIAL_FORMS": "4", "options-TOTAL_FORMS": "4", "skill": question.skill_id}
    for index, option in enumerate(options):
        data |= {
            f"options-{index}-id": option.pk,
            f"options-{index}-question": question.pk,
            f"options-{index}-label": option.label,
            f"options-{index}-text": option.text,
        }
        data.pop(f"options-{index}-is_correct", None)
    data["options-0-is_correct"] = "on"
    response = staff_client.post(reverse("admin:practice_question_change", args=[question.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert question.options.get(is_correct=True).label == "A"


def test_staff_can_read_the_legacy_id_map_but_not_change_it(staff_client):
    from practice.models import LegacyRecord

    rejected = LegacyRecord.objects.create(
        source="satprep",
        source_sha256="a" * 64,
        table="responses",
        legacy_id=211,
        state="rejected",
        reason="dangling foreign key: question_id 211 is not in questions",
        raw={"id": 211, "question_id": 211},
    )
    LegacyRecord.objects.create(
        source="satprep",
        source_sha256="a" * 64,
        table="users",
        legacy_id=1,
        state="imported",
        object_model="practice.user",
        object_id=1,
    )
    listing = staff_client.get(
        reverse("admin:practice_legacyrecord_changelist"), {"state__exact": "rejected"}
    )
    assert listing.status_code == 200
    assert b"dangling foreign key" in listing.content and b"practice.user" not in listing.content
    detail = staff_client.get(reverse("admin:practice_legacyrecord_change", args=[rejected.pk]))
    assert detail.status_code == 200 and b"question_id" in detail.content
    assert staff_client.get(reverse("admin:practice_legacyrecord_add")).status_code == 403
    staff_client.post(
        reverse("admin:practice_legacyrecord_change", args=[rejected.pk]), {"state": "imported"}
    )
    rejected.refresh_from_db()
    assert rejected.state == "rejected"
    assert (
        staff_client.get(reverse("admin:practice_legacyrecord_delete", args=[rejected.pk])).status_code == 403
    )


def _learner_with_legacy_record():
    learner = make_user()
    record = LegacyRecord.objects.create(
        source="satprep", source_sha256="c" * 64, table="users", legacy_id=1, state="imported",
        object_model="practice.user", object_id=learner.pk, notes=[f"imported {learner.email}"],
    )  # fmt: skip
    return learner, record


def test_admin_user_delete_goes_through_the_account_deletion_service(staff_client):
    learner, record = _learner_with_legacy_record()
    url = reverse("admin:practice_user_delete", args=[learner.pk])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=learner.pk).exists()
    record.refresh_from_db()
    assert (record.state, record.object_id, record.notes, record.raw) == ("rejected", None, [], {})


def test_admin_delete_selected_action_goes_through_the_account_deletion_service(staff_client):
    first, first_record = _learner_with_legacy_record()
    second = make_user()
    data = {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"}
    response = staff_client.post(reverse("admin:practice_user_changelist"), data)
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[first.pk, second.pk]).exists()
    first_record.refresh_from_db()
    assert first_record.object_id is None and first_record.notes == []


def _learning_rows():
    session = make_answered_session(correct=False, count=3)
    learner = session.learner
    make_flashcard(owner=learner)
    BadgeAward.objects.get_or_create(learner=learner, code=BadgeAward._meta.get_field("code").choices[0][0])
    rows = {}
    for model in LEARNER_ROWS:
        obj = model.objects.order_by("pk").first()
        assert obj is not None, model
        rows[model] = (obj.pk, model_to_dict(obj))
    return learner, rows


def test_learning_admins_refuse_staff_adds_changes_and_deletes(staff_client):
    _, rows = _learning_rows()
    for model, (pk, before) in rows.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert staff_client.get(reverse(f"{name}_changelist")).status_code == 200
        assert staff_client.get(reverse(f"{name}_change", args=[pk])).status_code == 200  # view only
        data = {key: "" if value is None else value for key, value in before.items()}
        assert staff_client.post(reverse(f"{name}_change", args=[pk]), data).status_code == 403, model
        assert staff_client.post(reverse(f"{name}_add"), data).status_code == 403, model
        delete = staff_client.post(reverse(f"{name}_delete", args=[pk]), {"post": "yes"})
        assert delete.status_code == 403, model
        assert model_to_dict(model.objects.get(pk=pk)) == before, model
        assert model.objects.count() >= 1


def test_staff_can_still_delete_a_learner_with_their_learning_rows(staff_client):
    learner, _ = _learning_rows()
    response = staff_client.post(reverse("admin:practice_user_delete", args=[learner.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=learner.pk).exists()
    for model in LEARNER_ROWS:
        owner = "owner" if model._meta.model_name == "flashcard" else "learner"
        assert not model.objects.filter(**{f"{owner}_id": learner.pk}).exists(), model


def test_admin_and_import_refuse_a_bad_figure_with_the_same_message_and_preview_draws_a_good_one(
    staff_client, tmp_path
):
    blank = staff_client.get(reverse("admin:practice_question_add")).content.decode()
    assert '<textarea name="figure" cols="80" rows="10"' in blank and ">null<" not in blank
    message = "figure.bars[1].value: must be a number"
    bad = {"kind": "bar_chart", "bars": [{"label": "A", "value": 2}, {"label": "B", "value": "lots"}]}
    response = staff_client.post(
        reverse("admin:practice_question_add"), _question_form(figure=json.dumps(bad))
    )
    assert response.status_code == 200 and message.encode() in response.content
    record = sample_records()[4] | {"figure": bad}
    assert f"row 1: {message}" in _import_refusals(tmp_path, record)
    assert not Question.objects.exists()
    good = {"kind": "bar_chart", "bars": [{"label": "A", "value": 2}, {"label": "B", "value": 5}]}
    response = staff_client.post(
        reverse("admin:practice_question_add"), _question_form(figure=json.dumps(good))
    )
    assert response.status_code == 302
    question = Question.objects.get(external_id="admin-1")
    preview = staff_client.get(
        reverse("admin:practice_question_preview", args=[question.pk])
    ).content.decode()
    assert 'class="question-figure"' in preview and 'role="img"' in preview
    assert "Bar chart: A 2, B 5." in preview


def test_staff_can_tell_template_variants_from_authored_items(admin_client):
    authored = make_question()
    variant = variant_create(template_code="circles-1", seed=7)
    url = reverse("admin:practice_question_changelist")
    html = admin_client.get(url + "?origin=variant").content.decode()
    assert variant.external_id in html and authored.external_id not in html
    html = admin_client.get(url + "?origin=authored").content.decode()
    assert authored.external_id in html and variant.external_id not in html
    page = admin_client.get(reverse("admin:practice_question_change", args=[variant.pk])).content.decode()
    assert "circles-1" in page
