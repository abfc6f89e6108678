from django.utils.functional import SimpleLazyObject


def learning(request):
    """Reviews and flashcards due, for the navigation; one query, only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def load():
        cached = getattr(request, "_learning_due", None)
        if cached is not None:
            return cached
        from .selectors_progress import due_counts

        request._learning_due = due_counts(learner=user)
        return request._learning_due

    return {"learning_due": SimpleLazyObject(load)}
