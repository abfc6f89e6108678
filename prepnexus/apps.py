from django.apps import AppConfig


class PrepnexusConfig(AppConfig):
    """Project-wide pieces that need the app registry: the connection budget system check."""

    name = "prepnexus"
    verbose_name = "PrepNexus"

    def ready(self):
        from . import checks  # noqa: F401  registers the checks
