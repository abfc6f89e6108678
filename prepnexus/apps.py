from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class PrepnexusConfig(AppConfig):
    """The project package as an app: the connection budget system check, the staff-action log's admin."""

    name = "prepnexus"
    verbose_name = "PrepNexus"

    def ready(self):
        from . import checks  # noqa: F401  registers the checks


class PrepnexusAdminConfig(AdminConfig):
    """Django's admin with PrepNexus's site: staff pass the institution policies through one logged path."""

    default_site = "prepnexus.admin_site.PrepNexusAdminSite"
