"""Reference data: the Digital SAT's sections, domains (with their weights) and skills."""

from django.db import migrations
from django.utils.text import slugify

TAXONOMY = [
    (
        "Reading and Writing",
        71,
        [
            (
                "Information and Ideas",
                "0.260",
                [
                    "Central Ideas and Details",
                    "Command of Evidence (Textual)",
                    "Command of Evidence (Quantitative)",
                    "Inferences",
                ],
            ),
            (
                "Craft and Structure",
                "0.280",
                ["Words in Context", "Text Structure and Purpose", "Cross-Text Connections"],
            ),
            ("Expression of Ideas", "0.200", ["Rhetorical Synthesis", "Transitions"]),
            ("Standard English Conventions", "0.260", ["Boundaries", "Form, Structure, and Sense"]),
        ],
    ),
    (
        "Math",
        95,
        [
            (
                "Algebra",
                "0.350",
                [
                    "Linear equations in one variable",
                    "Linear functions",
                    "Linear equations in two variables",
                    "Systems of two linear equations in two variables",
                    "Linear inequalities in one or two variables",
                ],
            ),
            (
                "Advanced Math",
                "0.350",
                [
                    "Nonlinear functions",
                    "Nonlinear equations in one variable and systems of equations in two variables",
                    "Equivalent expressions",
                ],
            ),
            (
                "Problem-Solving and Data Analysis",
                "0.150",
                [
                    "Ratios, rates, proportional relationships, and units",
                    "Percentages",
                    "One-variable data: distributions and measures of center and spread",
                    "Two-variable data: models and scatterplots",
                    "Probability and conditional probability",
                    "Inference from sample statistics and margin of error",
                    "Evaluating statistical claims: observational studies and experiments",
                ],
            ),
            (
                "Geometry and Trigonometry",
                "0.150",
                ["Area and volume", "Lines, angles, and triangles", "Right triangles and trigonometry", "Circles"],
            ),
        ],
    ),
]


def load(apps, schema_editor):
    Section = apps.get_model("practice", "Section")
    Domain = apps.get_model("practice", "Domain")
    Skill = apps.get_model("practice", "Skill")
    for s_pos, (section_name, seconds, domains) in enumerate(TAXONOMY, start=1):
        section, _ = Section.objects.update_or_create(
            name=section_name,
            defaults={"slug": slugify(section_name), "position": s_pos, "seconds_per_question": seconds},
        )
        for d_pos, (domain_name, weight, skills) in enumerate(domains, start=1):
            domain, _ = Domain.objects.update_or_create(
                section=section,
                name=domain_name,
                defaults={"slug": slugify(domain_name), "position": d_pos, "weight": weight},
            )
            for k_pos, skill_name in enumerate(skills, start=1):
                Skill.objects.update_or_create(
                    domain=domain,
                    name=skill_name,
                    defaults={"slug": slugify(skill_name)[:120], "position": k_pos},
                )


def unload(apps, schema_editor):
    apps.get_model("practice", "Skill").objects.all().delete()
    apps.get_model("practice", "Domain").objects.all().delete()
    apps.get_model("practice", "Section").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("practice", "0002_questions_and_sessions")]
    operations = [migrations.RunPython(load, unload)]
