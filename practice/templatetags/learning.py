from django import template

from ..charts import band_bars, bands_svg
from ..selectors.progress import predicted_scores

register = template.Library()


@register.inclusion_tag("practice/includes/_score_bands.html")
def predicted_score_bands(learner):
    """The learner's predicted scores with their bands (used after each session)."""
    scores = predicted_scores(learner=learner)
    bands = band_bars(
        [
            ("Total", scores["total"]),
            ("Reading and Writing", scores["reading_writing"]),
            ("Math", scores["math"]),
        ]
    )
    return {"bands": bands, "bands_svg": bands_svg(bands)}
