"""Test form writes: create, assemble, clone, publish and retire full-length forms.

The blueprint is written once, in `practice.engine.blueprint`; `form_problems()` is the one way in to
it, used by `form_publish()` (and so the admin's publish action and `assemble_forms --publish`).
"""

import string

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ..engine import blueprint
from ..engine.assembly import AssemblyError, Candidate, assemble_section
from ..models import FormModule, FormSlot, Question, Section, TestForm
from ..selectors.forms import form_module_items, question_form_uses, section_domain_weights

DEMO_FORMS = ("Form A", "Form B", "Form C")


def form_problems(form: TestForm) -> list[str]:
    """Every way the form breaks the blueprint, as sentences; empty when it may be published."""
    return blueprint.form_problems(form_module_items(form=form), section_domain_weights())


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "form"
    slug, n = base, 1
    while TestForm.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def form_create(*, name: str, notes: str = "", slug: str = "") -> TestForm:
    """A draft form with its six empty modules (per section: routing, easier and harder)."""
    form = TestForm(name=name, notes=notes, slug=slug or _unique_slug(name))
    form.full_clean()
    form.save()
    form_modules_ensure(form=form)
    return form


@transaction.atomic
def form_modules_ensure(*, form: TestForm) -> list[FormModule]:
    """Create whichever of the form's blueprint modules are missing, sized and timed by the blueprint."""
    modules = []
    for section in Section.objects.filter(name__in=blueprint.SECTIONS):
        spec = blueprint.SECTIONS[section.name]
        for stage, variant in blueprint.MODULES:
            module, _ = FormModule.objects.get_or_create(
                form=form,
                section=section,
                stage=stage,
                variant=variant,
                defaults={"length": spec.length, "time_limit_seconds": spec.time_limit_seconds},
            )
            modules.append(module)
    return modules


@transaction.atomic
def form_assemble(*, name: str, seed: int | str = 0, notes: str = "") -> TestForm:
    """A new draft form filled from the published bank: deterministic for a seed and bank, and
    preferring items no other (unretired) form holds yet. Raises AssemblyError if the bank is too small."""
    uses = question_form_uses()
    weights = section_domain_weights()
    form = form_create(name=name, notes=notes)
    slots = []
    for module in form_modules_ensure(form=form):
        if module.stage != 1:
            continue
        section = module.section.name
        pool = _pool(section=section, domains=weights.get(section, {}), uses=uses)
        placed = assemble_section(
            spec=blueprint.SECTIONS[section],
            weights=weights.get(section, {}),
            pool=pool,
            seed=f"{seed}:{form.slug}:{section}",
        )
        for sibling in FormModule.objects.filter(form=form, section=module.section):
            for position, item in enumerate(placed[sibling.variant], start=1):
                slots.append(
                    FormSlot(
                        module=sibling, position=position, question_id=item.question_id, pretest=item.pretest
                    )
                )
    FormSlot.objects.bulk_create(slots)
    return form


def _pool(*, section: str, domains: dict[str, float], uses) -> list[Candidate]:
    questions = (
        Question.objects.published()
        .filter(skill__domain__section__name=section, skill__domain__name__in=list(domains))
        .values_list("pk", "skill__domain__name", "difficulty", "irt_b")
    )
    return [
        Candidate(question_id=pk, domain=domain, difficulty=level, irt_b=irt_b, uses=uses[pk])
        for pk, domain, level, irt_b in questions
    ]


def next_form_names(count: int) -> list[str]:
    """The first `count` names "Form A", "Form B", ... (then "Form 27", ...) that no form has yet."""
    taken = set(TestForm.objects.values_list("name", flat=True))
    letters = [f"Form {letter}" for letter in string.ascii_uppercase]
    numbers = (f"Form {n}" for n in range(len(letters) + 1, 10_000))
    return [name for name in (*letters, *numbers) if name not in taken][:count]


@transaction.atomic
def forms_assemble(*, count: int, seed: int = 0, publish: bool = False) -> list[TestForm]:
    """Assemble `count` new forms one after another (each avoiding the items of those before)."""
    forms = []
    for index, name in enumerate(next_form_names(count)):
        form = form_assemble(name=name, seed=f"{seed}-{index}")
        if publish:
            form = form_publish(form=form)
        forms.append(form)
    return forms


@transaction.atomic
def demo_forms_ensure(*, seed: int = 0) -> list[TestForm]:
    """Forms A, B and C assembled and published, unless forms of those names exist (then untouched)."""
    existing = {form.name: form for form in TestForm.objects.filter(name__in=DEMO_FORMS)}
    forms = []
    for index, name in enumerate(DEMO_FORMS):
        if name in existing:
            forms.append(existing[name])
            continue
        form = form_assemble(name=name, seed=f"{seed}-{index}", notes="Assembled by seed_demo.")
        forms.append(form_publish(form=form))
    return forms


@transaction.atomic
def form_publish(*, form: TestForm) -> TestForm:
    """Publish the form if it meets the blueprint; otherwise raise ValidationError with every reason."""
    form = TestForm.objects.select_for_update().get(pk=form.pk)
    if form.status == TestForm.Status.PUBLISHED:
        return form
    problems = form_problems(form)
    if problems:
        raise ValidationError(problems)
    form.status = TestForm.Status.PUBLISHED
    form.published_at = form.published_at or timezone.now()
    form.save(update_fields=["status", "published_at", "updated_at"])
    return form


@transaction.atomic
def form_retire(*, form: TestForm) -> TestForm:
    """Take a form out of use; its items become free for new forms. Its rows stay for past attempts."""
    form = TestForm.objects.select_for_update().get(pk=form.pk)
    form.status = TestForm.Status.RETIRED
    form.save(update_fields=["status", "updated_at"])
    return form


@transaction.atomic
def form_clone(*, form: TestForm) -> TestForm:
    """A draft copy named "<name> (copy)" with the same modules and slots, to edit and publish."""
    name = f"{form.name} (copy)"
    clone = TestForm.objects.create(name=name[:120], slug=_unique_slug(name), notes=form.notes)
    slots = []
    for module in FormModule.objects.filter(form=form).prefetch_related("slots"):
        copy = FormModule.objects.create(
            form=clone,
            section_id=module.section_id,
            stage=module.stage,
            variant=module.variant,
            length=module.length,
            time_limit_seconds=module.time_limit_seconds,
        )
        slots += [
            FormSlot(module=copy, position=slot.position, question_id=slot.question_id, pretest=slot.pretest)
            for slot in module.slots.all()
        ]
    FormSlot.objects.bulk_create(slots)
    return clone


__all__ = [
    "DEMO_FORMS",
    "AssemblyError",
    "demo_forms_ensure",
    "form_assemble",
    "form_clone",
    "form_create",
    "form_modules_ensure",
    "form_problems",
    "form_publish",
    "form_retire",
    "forms_assemble",
    "next_form_names",
]
