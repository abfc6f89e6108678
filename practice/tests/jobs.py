"""Running the background-job queue in a test: the real worker, in batch mode, on the test's database."""

from django.core.management import call_command
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def run_jobs(*, queues: str = "*") -> int:
    """Run every job that is ready, as `manage.py run_worker --batch` does; returns how many ran."""
    before = DBTaskResult.objects.exclude(status=TaskResultStatus.READY).count()
    call_command("run_worker", batch=True, queues=queues, verbosity=0)
    return DBTaskResult.objects.exclude(status=TaskResultStatus.READY).count() - before


def queued(task_path_end: str) -> list[DBTaskResult]:
    """The ready jobs whose task path ends with the name given."""
    return [r for r in DBTaskResult.objects.ready() if r.task_path.endswith(task_path_end)]
