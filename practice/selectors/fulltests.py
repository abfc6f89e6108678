"""Full-length test reads: the learner's attempts, a module's page, the review grid, the score report."""

from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from ..models import (
    Phase,
    Question,
    QuestionOption,
    TestAccommodation,
    TestAttempt,
    TestForm,
    TestModuleAttempt,
    TestResponse,
    User,
)


def attempt_get(*, learner: User, pk: int) -> TestAttempt:
    """The learner's own attempt, or 404 (also for anyone else's)."""
    return get_object_or_404(TestAttempt.objects.select_related("form"), pk=pk, learner=learner)


def attempt_open(*, learner: User) -> TestAttempt | None:
    return TestAttempt.objects.filter(learner=learner, status=TestAttempt.Status.IN_PROGRESS).first()


def attempt_history(*, learner: User, limit: int = 50) -> list[TestAttempt]:
    """The learner's attempts, newest first, with their form."""
    return list(
        TestAttempt.objects.filter(learner=learner).select_related("form").order_by("-started_at")[:limit]
    )


def forms_available() -> list[TestForm]:
    return list(TestForm.objects.published().order_by("name"))


def module_attempt_get(*, attempt: TestAttempt, phase: str) -> TestModuleAttempt:
    if phase not in {p.value for p in (Phase.RW1, Phase.RW2, Phase.MATH1, Phase.MATH2)}:
        raise Http404("No such module.")
    try:
        return TestModuleAttempt.objects.select_related("module__section").get(attempt=attempt, phase=phase)
    except TestModuleAttempt.DoesNotExist as exc:
        raise Http404("This module has not started.") from exc


def module_responses(*, module_attempt: TestModuleAttempt) -> list[TestResponse]:
    """The module's responses in order, each with its slot's question id and type (the navigator grid)."""
    return list(
        TestResponse.objects.filter(module_attempt=module_attempt)
        .select_related("slot")
        .only("position", "given", "flagged", "eliminated", "note", "highlights", "seq", "slot__question_id")
        .order_by("position")
    )


def question_with_options(*, pk: int) -> tuple[Question, list[QuestionOption]]:
    question = Question.objects.select_related("skill__domain__section").get(pk=pk)
    options = list(QuestionOption.objects.filter(question_id=pk).order_by("label"))
    return question, options


# --- The score report -----------------------------------------------------------------------------------


@dataclass
class DomainPerformance:
    section: str
    name: str
    correct: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0

    @property
    def level(self) -> int:
        """0-7, as the "Knowledge and Skills" bars: the share correct in sevenths."""
        return min(7, round(7 * self.correct / self.total)) if self.total else 0


def clock(seconds: int) -> str:
    """Seconds as a timer shows them: 1925 -> "32:05"."""
    return f"{seconds // 60}:{seconds % 60:02d}"


@dataclass
class ModuleReport:
    module_attempt: TestModuleAttempt
    responses: list[TestResponse]
    seconds_allowed: int
    seconds_used: int

    @property
    def time_used(self) -> str:
        """ "m:ss of m:ss", as a stopwatch shows it."""
        return f"{clock(self.seconds_used)} of {clock(self.seconds_allowed)}"

    @property
    def answered(self) -> int:
        return sum(1 for r in self.responses if r.given)

    @property
    def correct(self) -> int:
        return sum(1 for r in self.responses if r.is_correct and not r.slot.pretest)

    @property
    def scored(self) -> int:
        return sum(1 for r in self.responses if not r.slot.pretest)


@dataclass
class Report:
    attempt: TestAttempt
    modules: list[ModuleReport]
    domains: "OrderedDict[str, list[DomainPerformance]]" = field(default_factory=OrderedDict)


def attempt_report(*, attempt: TestAttempt) -> Report:
    """Everything the score report shows, in four queries whatever the test's length."""
    modules = list(
        TestModuleAttempt.objects.filter(attempt=attempt)
        .select_related("module__section")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=TestResponse.objects.select_related("slot__question__skill__domain__section")
                .prefetch_related(
                    Prefetch("slot__question__options", queryset=QuestionOption.objects.order_by("label"))
                )
                .order_by("position"),
            )
        )
        .order_by("started_at", "pk")
    )
    report = Report(attempt=attempt, modules=[])
    domains: dict[tuple[str, str], DomainPerformance] = OrderedDict()
    for module_attempt in modules:
        responses = list(module_attempt.responses.all())
        allowed = int((module_attempt.deadline - module_attempt.started_at).total_seconds())
        report.modules.append(
            ModuleReport(
                module_attempt=module_attempt,
                responses=responses,
                seconds_allowed=allowed,
                seconds_used=module_attempt.seconds_used,
            )
        )
        for response in responses:
            if response.slot.pretest:
                continue
            domain = response.slot.question.skill.domain
            key = (domain.section.name, domain.name)
            perf = domains.setdefault(key, DomainPerformance(section=domain.section.name, name=domain.name))
            perf.total += 1
            perf.correct += int(bool(response.is_correct))
    for (section, _), perf in sorted(
        domains.items(), key=lambda kv: (kv[0][0] != "Reading and Writing", kv[0][1])
    ):
        report.domains.setdefault(section, []).append(perf)
    return report


def accommodation_get(*, learner: User) -> TestAccommodation | None:
    """The learner's recorded testing accommodations, if any (with who set them)."""
    return TestAccommodation.objects.filter(learner=learner).select_related("set_by").first()
