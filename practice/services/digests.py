"""Teachers' weekly digests: the weekly job that queues, for each class, one mail to each of its
teachers (docs/institutions.md, "Weekly digest")."""

from django.db.models.functions import Lower
from django.utils import timezone
from django_tasks import task

from ..models import AccessEvent, ClassTeacher, OutboundMail
from ..selectors.digest import class_digest, digest_class_ids, digest_period
from ..tenancy import operator_access
from .institutions import access_record
from .mail import mail_queue


def digest_class_send(*, classroom_id: int, at, week: str) -> int:
    """Queue the class's digest for each of its teachers for `week`; returns how many were queued. Each
    mail sent is a look at the learners' data, so it is recorded in the access trail like the class page.
    Institution rows are read past the policies: the job serves every institution."""
    queued = 0
    with operator_access(reason="weekly digest", actor="digest job"):
        period = digest_period(week=week, classroom_id=classroom_id)
        addresses = {
            email.lower()
            for email in ClassTeacher.objects.filter(classroom_id=classroom_id).values_list(
                "teacher__email", flat=True
            )
        }
        sent = OutboundMail.objects.annotate(to=Lower("to_address")).filter(
            kind="digest", period=period, to__in=addresses
        )
        if not addresses or sent.count() == len(addresses):
            return 0  # every teacher has it already (a second worker, a rerun): skip reading the class
        digest = class_digest(classroom_id=classroom_id, at=at, week=week)
        if not digest.learner_ids:
            return 0
        for teacher in digest.teachers:
            context = digest.context(teacher=teacher)
            if mail_queue(kind="digest", period=digest.period, context=context, user=teacher) is None:
                continue
            access_record(
                actor=teacher,
                role="teacher",
                institution_id=digest.institution_id,
                what="weekly digest email",
                learner_ids=digest.learner_ids,
                classroom_id=digest.classroom_id,
                action=AccessEvent.Action.VIEW,
            )
            queued += 1
    return queued


@task()
def digests_send(*, period: str) -> dict:
    """Weekly (PERIODIC_JOBS): every active class's digest for the ISO week `period` (2026-W49), covering
    the 7 days to now. Safe to run twice: each mail is keyed by (teacher's address, week and class)."""
    at = timezone.now()
    with operator_access(reason="weekly digest", actor="digest job"):
        class_ids = digest_class_ids(at=at)
    queued = sum(digest_class_send(classroom_id=pk, at=at, week=period) for pk in class_ids)
    return {"period": period, "classes": len(class_ids), "queued": queued}
