app_name = "practice"

urlpatterns: list = []

# Learning pages (dashboard, review, flashcards, badges, export).
from .urls_learning import urlpatterns as learning_urlpatterns  # noqa: E402

urlpatterns += learning_urlpatterns
