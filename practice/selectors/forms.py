"""Test form reads: a form's modules as the blueprint sees them, per-module summaries, item usage."""

from collections import Counter

from django.db.models import Count

from ..engine.blueprint import ModuleItems, SlotItem
from ..models import Domain, FormModule, FormSlot, Question, TestForm


def section_domain_weights() -> dict[str, dict[str, float]]:
    """Each section's listed domains and their weights, in taxonomy order (one query)."""
    weights: dict[str, dict[str, float]] = {}
    for domain in Domain.objects.select_related("section").order_by("section__position", "position"):
        weights.setdefault(domain.section.name, {})[domain.name] = float(domain.weight)
    return weights


def form_module_items(*, form: TestForm) -> list[ModuleItems]:
    """The form's modules with their slots in order, as plain blueprint values (two queries)."""
    modules = (
        FormModule.objects.filter(form=form).select_related("section").order_by("section__position", "stage")
    )
    slots = (
        FormSlot.objects.filter(module__form=form)
        .select_related("question__skill__domain__section")
        .order_by("position")
    )
    by_module: dict[int, list[SlotItem]] = {}
    for slot in slots:
        question = slot.question
        by_module.setdefault(slot.module_id, []).append(
            SlotItem(
                position=slot.position,
                question_id=question.pk,
                label=question.external_id or f"#{question.pk}",
                section=question.skill.domain.section.name,
                domain=question.skill.domain.name,
                difficulty=question.difficulty,
                published=question.status == Question.Status.PUBLISHED,
                pretest=slot.pretest,
            )
        )
    return [
        ModuleItems(
            section=module.section.name,
            stage=module.stage,
            variant=module.variant,
            length=module.length,
            time_limit_seconds=module.time_limit_seconds,
            slots=tuple(by_module.get(module.pk, ())),
        )
        for module in modules
    ]


def form_module_summary(*, form: TestForm) -> list[dict]:
    """Per module: operational counts per domain and level, and the pretest count (two queries)."""
    modules = list(
        FormModule.objects.filter(form=form).select_related("section").order_by("section__position", "stage")
    )
    rows = (
        FormSlot.objects.filter(module__form=form)
        .values(
            "module_id",
            "pretest",
            "question__skill__domain__name",
            "question__skill__domain__position",
            "question__difficulty",
        )
        .annotate(n=Count("pk"))
    )
    counts: dict[int, Counter] = {module.pk: Counter() for module in modules}
    pretest: Counter = Counter()
    position = {}
    for row in rows:
        position[row["question__skill__domain__name"]] = row["question__skill__domain__position"]
        if row["pretest"]:
            pretest[row["module_id"]] += row["n"]
        else:
            counts[row["module_id"]][(row["question__skill__domain__name"], row["question__difficulty"])] += (
                row["n"]
            )
    summary = []
    for module in modules:
        cells = counts[module.pk]
        domains = sorted({domain for domain, _ in cells}, key=lambda d: (position[d], d))
        summary.append(
            {
                "module": module,
                "domains": [
                    {
                        "name": domain,
                        "easy": cells[(domain, "easy")],
                        "medium": cells[(domain, "medium")],
                        "hard": cells[(domain, "hard")],
                        "total": sum(n for (d, _), n in cells.items() if d == domain),
                    }
                    for domain in domains
                ],
                "operational": sum(cells.values()),
                "pretest": pretest[module.pk],
            }
        )
    return summary


def question_form_uses(*, exclude: TestForm | None = None) -> Counter:
    """How many forms (retired ones aside) hold each question, in any slot."""
    slots = FormSlot.objects.exclude(module__form__status=TestForm.Status.RETIRED)
    if exclude is not None:
        slots = slots.exclude(module__form=exclude)
    rows = slots.values("question_id").annotate(forms=Count("module__form", distinct=True))
    return Counter({row["question_id"]: row["forms"] for row in rows})


def form_slot_rows(*, form: TestForm) -> list[FormSlot]:
    """Every slot of the form with its module and question's skill, in delivery order (one query)."""
    return list(
        FormSlot.objects.filter(module__form=form)
        .select_related("module__section", "question__skill")
        .order_by("module__section__position", "module__stage", "module__variant", "position")
    )
