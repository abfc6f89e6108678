from django import template

from ..charts import score_bands
from ..selectors.progress import predicted_scores

register = template.Library()


@register.inclusion_tag("practice/includes/_score_bands.html")
def predicted_score_bands(learner):
    """The learner's predicted scores with their bands (used after each session)."""
    return {"bands": score_bands(predicted_scores(learner=learner))}
