from django.apps import AppConfig


class PrepnexusConfig(AppConfig):
    """The project package as an app: the connection budget system check, the staff-action log's admin."""

    name = "prepnexus"
    verbose_name = "PrepNexus"

    def ready(self):
        from . import checks  # noqa: F401  registers the checks
