"""The test-form blueprint and the section assembly, on plain values (no database)."""

import itertools
from dataclasses import replace

import pytest

from practice.engine.assembly import AssemblyError, Candidate, assemble_section
from practice.engine.blueprint import (
    MATH,
    READING_AND_WRITING,
    SECTIONS,
    ModuleItems,
    SlotItem,
    form_problems,
    largest_remainder,
)

RW_WEIGHTS = {
    "Information and Ideas": 0.26,
    "Craft and Structure": 0.28,
    "Expression of Ideas": 0.20,
    "Standard English Conventions": 0.26,
}
MATH_WEIGHTS = {
    "Algebra": 0.35,
    "Advanced Math": 0.35,
    "Problem-Solving and Data Analysis": 0.15,
    "Geometry and Trigonometry": 0.15,
}
WEIGHTS = {READING_AND_WRITING: RW_WEIGHTS, MATH: MATH_WEIGHTS}
_ids = itertools.count(1)


def _pool(weights, per_cell=30, uses=0) -> list[Candidate]:
    return [
        Candidate(question_id=next(_ids), domain=domain, difficulty=level, irt_b=0.0, uses=uses)
        for domain in weights
        for level in ("easy", "medium", "hard")
        for _ in range(per_cell)
    ]


def _section(section: str, pool: list[Candidate], seed="s") -> list[ModuleItems]:
    spec = SECTIONS[section]
    placed = assemble_section(spec=spec, weights=WEIGHTS[section], pool=pool, seed=seed)
    by_id = {c.question_id: c for c in pool}
    stages = {"routing": 1, "easier": 2, "harder": 2}
    return [
        ModuleItems(
            section=section,
            stage=stages[variant],
            variant=variant,
            length=spec.length,
            time_limit_seconds=spec.time_limit_seconds,
            slots=tuple(
                SlotItem(
                    position=n,
                    question_id=p.question_id,
                    label=f"q{p.question_id}",
                    section=section,
                    domain=by_id[p.question_id].domain,
                    difficulty=by_id[p.question_id].difficulty,
                    published=True,
                    pretest=p.pretest,
                )
                for n, p in enumerate(slots, start=1)
            ),
        )
        for variant, slots in placed.items()
    ]


@pytest.fixture
def modules() -> list[ModuleItems]:
    return _section(READING_AND_WRITING, _pool(RW_WEIGHTS)) + _section(MATH, _pool(MATH_WEIGHTS))


def _module(modules, section, variant) -> ModuleItems:
    return next(m for m in modules if m.section == section and m.variant == variant)


def _swap(modules, old: ModuleItems, new: ModuleItems) -> list[ModuleItems]:
    return [new if m is old else m for m in modules]


def _with_slots(modules, section, variant, change) -> list[ModuleItems]:
    """The form with one module's slots replaced by `change(slots)`."""
    module = _module(modules, section, variant)
    return _swap(modules, module, replace(module, slots=tuple(change(list(module.slots)))))


def _relevel(slots, count, old, new, pretest=False):
    """Change the level of the first `count` operational `old` slots to `new`."""
    out, left = [], count
    for slot in slots:
        if left and slot.difficulty == old and slot.pretest == pretest:
            slot, left = replace(slot, difficulty=new), left - 1
        out.append(slot)
    return out


def test_largest_remainder_sums_to_the_count_and_breaks_ties_to_the_first_key():
    assert largest_remainder(RW_WEIGHTS, 25) == {
        "Information and Ideas": 7,
        "Craft and Structure": 7,
        "Expression of Ideas": 5,
        "Standard English Conventions": 6,
    }
    assert largest_remainder(MATH_WEIGHTS, 20) == dict(zip(MATH_WEIGHTS, [7, 7, 3, 3], strict=True))
    assert sum(largest_remainder({"a": 1, "b": 1, "c": 1}, 25).values()) == 25


def test_an_assembled_form_meets_the_blueprint(modules):
    assert form_problems(modules, WEIGHTS) == []
    rw = _module(modules, READING_AND_WRITING, "routing")
    assert len(rw.slots) == 27 and sum(s.pretest for s in rw.slots) == 2
    assert len(_module(modules, MATH, "harder").slots) == 22


def test_assembly_is_deterministic_for_a_seed():
    pool = _pool(MATH_WEIGHTS)
    spec = SECTIONS[MATH]
    first = assemble_section(spec=spec, weights=MATH_WEIGHTS, pool=pool, seed="a")
    assert assemble_section(spec=spec, weights=MATH_WEIGHTS, pool=pool, seed="a") == first
    assert assemble_section(spec=spec, weights=MATH_WEIGHTS, pool=pool, seed="b") != first


def test_assembly_prefers_items_no_other_form_holds():
    used, fresh = _pool(MATH_WEIGHTS, per_cell=10, uses=1), _pool(MATH_WEIGHTS, per_cell=10)
    placed = assemble_section(spec=SECTIONS[MATH], weights=MATH_WEIGHTS, pool=used + fresh, seed="x")
    fresh_ids = {c.question_id for c in fresh}
    assert all(p.question_id in fresh_ids for slots in placed.values() for p in slots)


def test_assembly_refuses_a_pool_too_small():
    with pytest.raises(AssemblyError, match="Not enough published Algebra items"):
        assemble_section(
            spec=SECTIONS[MATH], weights=MATH_WEIGHTS, pool=_pool(MATH_WEIGHTS, per_cell=2), seed="x"
        )


def test_every_module_of_every_section_is_required(modules):
    rest = [m for m in modules if not (m.section == MATH and m.variant == "harder")]
    assert form_problems(rest, WEIGHTS) == ["Math has no module 2 (harder)."]


def test_length_time_limit_and_slot_count_follow_the_section(modules):
    math = _module(modules, MATH, "routing")
    broken = _swap(modules, math, replace(math, length=20, time_limit_seconds=1800, slots=math.slots[:21]))
    problems = form_problems(broken, WEIGHTS)
    assert "Math module 1 (routing): its length is 20; the blueprint says 22." in problems
    assert (
        "Math module 1 (routing): its time limit is 1800 s; the blueprint says 2100 s (35 min)." in problems
    )
    assert "Math module 1 (routing): it has 21 items; it needs 22 (20 operational and 2 pretest)." in problems


def test_positions_run_from_one_without_gaps(modules):
    broken = _with_slots(modules, MATH, "easier", lambda slots: [replace(slots[0], position=30), *slots[1:]])
    assert "Math module 2 (easier): its positions must run from 1 without gaps." in form_problems(
        broken, WEIGHTS
    )


def test_each_module_has_exactly_two_pretest_items(modules):
    def one_pretest(slots):
        first = next(i for i, s in enumerate(slots) if s.pretest)
        return [replace(s, pretest=False) if i == first else s for i, s in enumerate(slots)]

    broken = _with_slots(modules, MATH, "harder", one_pretest)
    assert "Math module 2 (harder): it has 1 pretest item; it needs exactly 2." in form_problems(
        broken, WEIGHTS
    )


def test_items_must_be_published_and_of_the_module_section(modules):
    def spoil(slots):
        return [replace(slots[0], published=False), replace(slots[1], section=MATH), *slots[2:]]

    broken = _with_slots(modules, READING_AND_WRITING, "easier", spoil)
    problems = form_problems(broken, WEIGHTS)
    rw = _module(modules, READING_AND_WRITING, "easier").slots
    prefix = "Reading and Writing module 2 (easier)"
    assert f"{prefix}: item {rw[0].label} (position 1) is not published." in problems
    assert f"{prefix}: item {rw[1].label} (position 2) is a Math item." in problems


def test_module_one_needs_a_quarter_of_each_level(modules):
    broken = _with_slots(modules, MATH, "routing", lambda slots: _relevel(slots, 3, "hard", "medium"))
    assert (
        "Math module 1 (routing): it has 3 hard operational items; module 1 needs at least a quarter of "
        "each level (5 of 20)."
    ) in form_problems(broken, WEIGHTS)


def test_the_easier_module_allows_few_hard_items_and_needs_more_easy_than_hard(modules):
    broken = _with_slots(modules, MATH, "easier", lambda slots: _relevel(slots, 2, "medium", "hard"))
    assert (
        "Math module 2 (easier): it has 4 hard operational items; "
        "an easier module allows at most 10% (2 of 20)."
    ) in form_problems(broken, WEIGHTS)
    broken = _with_slots(modules, MATH, "easier", lambda slots: _relevel(slots, 8, "easy", "medium"))
    assert (
        "Math module 2 (easier): an easier module needs more easy than hard operational items "
        "(it has 2 easy and 2 hard)."
    ) in form_problems(broken, WEIGHTS)


def test_the_harder_module_is_the_mirror_image(modules):
    broken = _with_slots(modules, MATH, "harder", lambda slots: _relevel(slots, 1, "medium", "easy"))
    assert (
        "Math module 2 (harder): it has 3 easy operational items; "
        "a harder module allows at most 10% (2 of 20)."
    ) in form_problems(broken, WEIGHTS)
    broken = _with_slots(modules, MATH, "harder", lambda slots: _relevel(slots, 8, "hard", "medium"))
    assert (
        "Math module 2 (harder): a harder module needs more hard than easy operational items "
        "(it has 2 hard and 2 easy)."
    ) in form_problems(broken, WEIGHTS)


def test_domain_counts_follow_the_weights_within_one(modules):
    def move(slots):
        algebra = [i for i, s in enumerate(slots) if s.domain == "Algebra" and not s.pretest][:2]
        return [
            replace(s, domain="Geometry and Trigonometry") if i in algebra else s for i, s in enumerate(slots)
        ]

    problems = form_problems(_with_slots(modules, MATH, "harder", move), WEIGHTS)
    assert (
        "Math module 2 (harder): it has 5 Algebra operational items; the domain weights call for 7 (±1)."
    ) in problems
    assert (
        "Math module 2 (harder): it has 5 Geometry and Trigonometry operational items; the domain weights "
        "call for 3 (±1)."
    ) in problems
    one = _with_slots(modules, MATH, "harder", lambda slots: move(slots)[:1] + slots[1:])
    assert not [p for p in form_problems(one, WEIGHTS) if "domain weights" in p]


def test_an_item_in_a_domain_without_weight_is_named(modules):
    def stray(slots):
        first = next(i for i, s in enumerate(slots) if not s.pretest)
        return [replace(s, domain="Unclassified") if i == first else s for i, s in enumerate(slots)]

    problems = form_problems(_with_slots(modules, MATH, "routing", stray), WEIGHTS)
    assert (
        "Math module 1 (routing): it has 1 operational item in Unclassified, a domain with no weight."
        in problems
    )


def test_reading_and_writing_runs_in_domain_order_then_easier_to_harder(modules):
    def domains_swapped(slots):
        last = len(slots) - 1  # an Expression of Ideas item, moved to the front
        return [replace(slots[last], position=1)] + [
            replace(s, position=s.position + 1) for s in slots[:last]
        ]

    problems = form_problems(_with_slots(modules, READING_AND_WRITING, "routing", domains_swapped), WEIGHTS)
    assert any(
        p.startswith("Reading and Writing module 1 (routing): item ")
        and "comes after Expression of Ideas; items run in domain order: Craft and Structure, "
        "Information and Ideas, Standard English Conventions, Expression of Ideas."
        in p
        for p in problems
    ), problems

    def reversed_levels(slots):
        craft = [s for s in slots if s.domain == "Craft and Structure"]
        positions = [s.position for s in craft]
        flipped = {id(s): p for s, p in zip(craft, reversed(positions), strict=True)}
        return [replace(s, position=flipped.get(id(s), s.position)) for s in slots]

    problems = form_problems(_with_slots(modules, READING_AND_WRITING, "routing", reversed_levels), WEIGHTS)
    assert any("within a domain items run from easier to harder." in p for p in problems), problems


def test_math_has_no_domain_order(modules):
    broken = _with_slots(
        modules,
        MATH,
        "routing",
        lambda slots: [replace(s, position=len(slots) - s.position + 1) for s in slots],
    )
    assert form_problems(broken, WEIGHTS) == []


def test_an_item_appears_once_per_form(modules):
    easier, harder = _module(modules, MATH, "easier"), _module(modules, MATH, "harder")
    twin = replace(harder.slots[-1], question_id=easier.slots[-1].question_id, label=easier.slots[-1].label)
    broken = _swap(modules, harder, replace(harder, slots=(*harder.slots[:-1], twin)))
    assert (
        f"Item {twin.label} appears 2 times in the form: Math module 2 (easier) position 22; "
        "Math module 2 (harder) position 22."
    ) in form_problems(broken, WEIGHTS)


def test_a_module_of_a_section_without_blueprint_is_named(modules):
    stray = replace(modules[0], section="Science")
    assert "Science module 1 (routing): no blueprint for the section Science." in form_problems(
        [*modules, stray], WEIGHTS
    )
