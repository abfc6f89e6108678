from django.apps import AppConfig


class PrepnexusConfig(AppConfig):
    """The project package as an app, for project-wide pieces such as the staff-action log's admin."""

    name = "prepnexus"
    verbose_name = "PrepNexus"
