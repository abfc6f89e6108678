"""A teacher's class: the overview (roster with predictions, skill heatmap, who needs attention), one
learner's read-only figures, a learner's testing accommodations, and the class's CSV export."""

import csv
import html

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..engine.mastery import Level
from ..formats.csvsafe import escape
from ..forms import AccommodationForm, add_validation_errors
from ..models import TestAccommodation
from ..selectors.classes import (
    INACTIVE_DAYS,
    LOW_PROBABILITY,
    RATE_DAYS,
    class_overview,
    classroom_overview_get,
)
from ..selectors.fulltests import accommodation_get
from ..selectors.institutions import classroom_get, learner_in_classes_get
from ..selectors.progress import nav_summary, predicted_scores, skill_rows, weekly_activity
from ..selectors.review import review_item_list
from ..selectors.sessions import practice_session_list
from ..services.fulltests import accommodation_set
from .teaching import record_access, teacher_view

LEVEL_ABBR = {
    Level.NOT_STARTED: "NS",
    Level.ATTEMPTED: "At",
    Level.FAMILIAR: "Fa",
    Level.PROFICIENT: "Pr",
    Level.MASTERED: "Ma",
}
# One heatmap cell per level, built once: 200 learners x 29 skills is too many cells for the template
# language to render within the page's time budget. The markup holds only these constants.
HEAT_CELLS = {
    level: format_html(
        '<td class="heat level-{}" title="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></td>',
        level.name.lower().replace("_", "-"),
        level.label,
        LEVEL_ABBR[level],
        level.label,
    )
    for level in Level
}


def heat_cells(levels: list[int]) -> str:
    return mark_safe("".join(HEAT_CELLS[level] for level in levels))  # noqa: S308  constants above


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(value) -> str:
    return f"{MONTHS[value.month - 1]} {value.day}, {value.year}"


def roster_cells(row, url: str) -> str:
    """A roster row's cells. Written here rather than in the template: for 200 learners the template
    language's per-variable cost (localisation, {% url %}, format_html's lazy wrappers) alone exceeded
    the page's time budget. Text from users (the name, the URL) is escaped; the rest are numbers and
    dates."""
    total = row.figures.total
    if total.enough_data:
        score = f"<td>{total.score}</td><td>{total.low}&ndash;{total.high}</td>"
    else:
        score = f'<td colspan="2" class="muted">Not enough data ({total.needed} more answers)</td>'
    if row.last_active is None:
        active = '<span class="muted">Never</span>'
    elif row.days_inactive >= INACTIVE_DAYS:
        active = f"{_day(row.last_active)} ({row.days_inactive} days ago)"
    else:
        active = _day(row.last_active)
    late = f' <span class="muted">({row.late} late)</span>' if row.late else ""
    if row.probability is not None:
        test_day = f"{MONTHS[row.test_date.month - 1]} {row.test_date.day}"
        chance = f'{round(100 * row.probability)}% <span class="muted">of {row.target} by {test_day}</span>'
    elif not row.has_target:
        chance = '<span class="muted">No target</span>'
    else:
        chance = '<span class="muted">Not enough data</span>'
    return mark_safe(  # noqa: S308  user text escaped, the rest numbers and dates
        f'<th scope="row"><a href="{html.escape(url)}">{html.escape(row.name)}</a></th>{score}'
        f"<td>{active}</td><td>{row.week_answers}</td><td>{row.completed} / {row.assigned}{late}</td>"
        f"<td>{chance}</td>"
    )


@teacher_view
def class_detail(request, pk):
    classroom = classroom_overview_get(scope=request.scope, pk=pk)
    overview = class_overview(classroom=classroom)
    record_access(
        request,
        what="class overview",
        institution_id=classroom.institution_id,
        learner_ids=overview.learner_ids,
        classroom_id=classroom.pk,
    )
    # One reverse() for the whole class: the learner's id is the path's last segment.
    base = reverse("teach:learner-detail", args=[classroom.pk, 0])[: -len("0/")]
    # The two tables' bodies are joined here, once: looping over 200 rows twice in the template language
    # cost more than the rest of the page.
    roster, heat, attention = [], [], []
    for row in overview.rows:
        url = f"{base}{row.learner.pk}/"
        flagged = ' class="needs-attention"' if row.reasons else ""
        roster.append(f"<tr{flagged}>{roster_cells(row, url)}</tr>")
        heat.append(f'<tr><th scope="row">{html.escape(row.name)}</th>{heat_cells(row.levels)}</tr>')
        if row.reasons:
            reasons = html.escape("; ".join(row.reasons))
            attention.append(f'<li><a href="{html.escape(url)}">{html.escape(row.name)}</a>: {reasons}</li>')
    rows = overview.rows
    context = {
        "classroom": classroom,
        "overview": overview,
        "rows": rows,
        "roster_body": mark_safe("\n".join(roster)),  # noqa: S308  names escaped, the rest our markup
        "heat_body": mark_safe("\n".join(heat)),  # noqa: S308  names escaped, the rest our markup
        "attention": attention,
        "attention_items": mark_safe("\n".join(attention)),  # noqa: S308  text escaped above
        **nav_summary(user=request.user),
        "levels": [(LEVEL_ABBR[level], level.label) for level in Level],
        "inactive_days": INACTIVE_DAYS,
        "low_probability": round(100 * LOW_PROBABILITY),
        "rate_weeks": RATE_DAYS // 7,
    }
    return render(request, "teach/classroom_detail.html", context)


@teacher_view
def learner_detail(request, pk, learner_pk):
    classroom = classroom_get(scope=request.scope, pk=pk)
    learner = learner_in_classes_get(scope=request.scope, classroom=classroom, learner_pk=learner_pk)
    row = class_overview(classroom=classroom, learner_id=learner.pk, with_assignments=False).rows[0]
    scores = predicted_scores(learner=learner, rows=skill_rows(learner=learner))
    record_access(
        request,
        what="learner detail",
        institution_id=classroom.institution_id,
        learner_ids=[learner.pk],
        classroom_id=classroom.pk,
    )
    context = {
        "classroom": classroom,
        "learner": learner,
        "row": row,
        "scores": scores,
        "predictions": [
            ("Total", scores["total"]),
            ("Reading and Writing", scores["reading_writing"]),
            ("Math", scores["math"]),
        ],
        "weeks": weekly_activity(learner=learner, today=row.today),
        "mistakes": review_item_list(learner=learner),
        "sessions": practice_session_list(learner=learner)[:30],
        "low_probability": round(100 * LOW_PROBABILITY),
        "accommodation": accommodation_get(learner=learner),
    }
    return render(request, "teach/learner_detail.html", context)


@teacher_view
def learner_accommodations(request, pk, learner_pk):
    """Record a learner's approved testing accommodations (extended time, longer breaks) for the tests
    they start from now on."""
    classroom = classroom_get(scope=request.scope, pk=pk)
    learner = learner_in_classes_get(scope=request.scope, classroom=classroom, learner_pk=learner_pk)
    current = accommodation_get(learner=learner)
    form = AccommodationForm(request.POST or None, instance=current or TestAccommodation(learner=learner))
    if request.method == "POST" and form.is_valid():
        try:
            accommodation_set(learner=learner, set_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(
                request, "Testing accommodations saved; they apply to tests started from now on."
            )
            return redirect("teach:learner-detail", pk=classroom.pk, learner_pk=learner.pk)
    record_access(
        request,
        what="testing accommodations",
        institution_id=classroom.institution_id,
        learner_ids=[learner.pk],
        classroom_id=classroom.pk,
    )
    context = {"classroom": classroom, "learner": learner, "form": form, "current": current}
    status = 422 if request.method == "POST" else 200
    return render(request, "teach/accommodation_form.html", context, status=status)


@teacher_view
def class_export(request, pk):
    classroom = classroom_get(scope=request.scope, pk=pk)
    overview = class_overview(classroom=classroom, with_assignments=False)
    record_access(
        request,
        what="class overview export",
        institution_id=classroom.institution_id,
        learner_ids=overview.learner_ids,
        classroom_id=classroom.pk,
        export=True,
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="class-{classroom.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(export_header(overview))
    for row in overview.rows:
        writer.writerow(export_row(row))
    return response


EXPORT_COLUMNS = [
    "name",
    "email",
    "external_id",
    "predicted_total",
    "predicted_total_low",
    "predicted_total_high",
    "reading_writing",
    "reading_writing_low",
    "reading_writing_high",
    "math",
    "math_low",
    "math_high",
    "last_active",
    "questions_this_week",
    "answers_total",
    "accuracy_percent",
    "assignments_completed",
    "assignments_assigned",
    "success_probability",
]


def export_header(overview) -> list[str]:
    return EXPORT_COLUMNS + [escape(f"skill: {skill['name']}") for skill in overview.skills]


def export_row(row) -> list:
    f = row.figures

    def blank(value):
        return "" if value is None else value

    return [
        escape(row.name),
        escape(row.email),
        escape(row.external_id),
        blank(f.total.score),
        blank(f.total.low),
        blank(f.total.high),
        blank(f.reading_writing.score),
        blank(f.reading_writing.low),
        blank(f.reading_writing.high),
        blank(f.math.score),
        blank(f.math.low),
        blank(f.math.high),
        row.last_active.isoformat() if row.last_active else "",
        row.week_answers,
        row.answers_total,
        blank(row.accuracy),
        row.completed,
        row.assigned,
        "" if row.probability is None else f"{row.probability:.3f}",
        *(Level(level).label for level in row.levels),
    ]
