from django.utils.functional import SimpleLazyObject

from .models import Profile
from .selectors.progress import due_counts


def learning(request):
    """What the navigation shows: reviews and flashcards due, and the learner's name.

    Each is looked up (one query) only when a page shows it; a view that already has them passes
    `learning_due` / `nav_name` in its own context, which takes precedence over these.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def name():
        try:
            return user.profile.display_name or user.username
        except Profile.DoesNotExist:
            return user.username

    return {
        "learning_due": SimpleLazyObject(lambda: due_counts(learner=user)),
        "nav_name": SimpleLazyObject(name),
    }
