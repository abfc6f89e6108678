"""One "Unclassified" domain and skill per section, for legacy questions whose topic matches no skill.

Both are unlisted (``listed=False``): the default managers hide them, so they appear in no picker, no
score prediction and no taxonomy count. The domain's weight is 0, which only unlisted domains may have.
"""

from django.db import migrations

NAME = "Unclassified"


def load(apps, schema_editor):
    Section = apps.get_model("practice", "Section")
    Domain = apps.get_model("practice", "Domain")
    Skill = apps.get_model("practice", "Skill")
    for section in Section.objects.all():
        domain, _ = Domain.objects.update_or_create(
            section=section,
            name=NAME,
            defaults={"slug": "unclassified", "position": 999, "weight": "0", "listed": False},
        )
        Skill.objects.update_or_create(
            domain=domain, name=NAME, defaults={"slug": "unclassified", "position": 999, "listed": False}
        )


def unload(apps, schema_editor):
    apps.get_model("practice", "Skill").objects.filter(listed=False).delete()
    apps.get_model("practice", "Domain").objects.filter(listed=False).delete()


class Migration(migrations.Migration):
    dependencies = [("practice", "0006_legacy_records")]
    operations = [migrations.RunPython(load, unload)]
