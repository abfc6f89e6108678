"""Item templates: pure-Python generators of isomorphic Math items (docs/question-format.md).

Each `Template` has a code ("linear-one-var-1"), the name of its skill, a difficulty and a type, and
`variant(seed)` builds the same item every time for the same seed: the stem and explanation (Markdown
with LaTeX between \\( and \\)), the key computed with exact fractions and, for multiple choice, three
distractors built from named common errors. The services freeze each variant served as a Question
(`practice/services/variants.py`). Templates are split by domain: `algebra`, `advanced`, `data`,
`geometry`.
"""

from . import advanced, algebra, data, geometry
from .base import Template, Variant

REGISTRY: dict[str, Template] = {
    template.code: template for module in (algebra, advanced, data, geometry) for template in module.TEMPLATES
}


class UnknownTemplate(KeyError):
    """No template has this code."""


def template_get(code: str) -> Template:
    try:
        return REGISTRY[code]
    except KeyError:
        raise UnknownTemplate(code) from None


def variant_build(code: str, seed: int) -> Variant:
    """The variant of template `code` for `seed`: deterministic, the same pair always gives the same item."""
    return template_get(code).variant(seed)


def templates_for(skills, difficulty: str | None = None) -> list[Template]:
    """The templates of the named skills (all when `skills` is None), optionally of one difficulty."""
    names = None if skills is None else set(skills)
    return [
        template
        for template in REGISTRY.values()
        if (names is None or template.skill in names)
        and (difficulty is None or template.difficulty == difficulty)
    ]


__all__ = [
    "REGISTRY",
    "Template",
    "UnknownTemplate",
    "Variant",
    "template_get",
    "templates_for",
    "variant_build",
]
