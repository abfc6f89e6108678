"""Routes of the learning pages; practice/urls.py appends them to the app's urlpatterns."""

from django.urls import path

from . import views_learning as views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("badges/", views.badge_list, name="badge-list"),
    path("review/", views.review_list, name="review-list"),
    path("review/<int:pk>/", views.review_item, name="review-item"),
    path("review/attempts/<int:pk>/", views.review_attempt, name="review-attempt"),
    path("flashcards/", views.flashcard_list, name="flashcard-list"),
    path("flashcards/new/", views.flashcard_create_view, name="flashcard-create"),
    path("flashcards/review/", views.flashcard_review_next, name="flashcard-review"),
    path("flashcards/export.csv", views.flashcard_export, name="flashcard-export"),
    path("flashcards/import/", views.flashcard_import_view, name="flashcard-import"),
    path("flashcards/settings/", views.flashcard_settings, name="flashcard-settings"),
    path("flashcards/<int:pk>/edit/", views.flashcard_update_view, name="flashcard-update"),
    path("flashcards/<int:pk>/delete/", views.flashcard_delete_view, name="flashcard-delete"),
    path("flashcards/<int:pk>/review/", views.flashcard_rate, name="flashcard-rate"),
    path("export/", views.export_index, name="export"),
    path("export/prepnexus-export.<str:fmt>", views.export_download, name="export-download"),
]
