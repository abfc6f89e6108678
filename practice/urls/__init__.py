"""The practice app's routes (namespace "practice"). Account routes, not namespaced, are in accounts.py."""

from django.urls import path

from ..views import (
    assignments,
    dashboard,
    exports,
    flashcards,
    fulltests,
    institutions,
    mail,
    review,
    sessions,
)

app_name = "practice"

urlpatterns = [
    path("practice/", sessions.session_list, name="session-list"),
    path("practice/start/", sessions.session_create, name="session-create"),
    path("practice/sessions/<int:pk>/", sessions.session_detail, name="session-detail"),
    path("practice/sessions/<int:pk>/q/<int:position>/", sessions.item_detail, name="item-detail"),
    path("practice/sessions/<int:pk>/q/<int:position>/answer/", sessions.answer_create, name="answer-create"),
    path("practice/sessions/<int:pk>/q/<int:position>/flag/", sessions.item_flag, name="item-flag"),
    path("practice/sessions/<int:pk>/finish/", sessions.session_finish, name="session-finish"),
    path("practice/sessions/<int:pk>/results/", sessions.session_results, name="session-results"),
    path("practice/sessions/<int:pk>/mistakes/", sessions.session_mistakes, name="session-mistakes"),
    path("full-test/", fulltests.fulltest_list, name="fulltest-list"),
    path("full-test/start/", fulltests.fulltest_start_view, name="fulltest-start"),
    path("full-test/<int:pk>/", fulltests.fulltest_detail, name="fulltest-detail"),
    path("full-test/<int:pk>/break/", fulltests.fulltest_break, name="fulltest-break"),
    path("full-test/<int:pk>/break/end/", fulltests.fulltest_break_end_view, name="fulltest-break-end"),
    path("full-test/<int:pk>/report/", fulltests.fulltest_report, name="fulltest-report"),
    path("full-test/<int:pk>/<slug:phase>/review/", fulltests.fulltest_review, name="fulltest-review"),
    path("full-test/<int:pk>/<slug:phase>/submit/", fulltests.fulltest_submit, name="fulltest-submit"),
    path(
        "full-test/<int:pk>/<slug:phase>/<int:position>/",
        fulltests.fulltest_question,
        name="fulltest-question",
    ),
    path(
        "full-test/<int:pk>/<slug:phase>/<int:position>/save/",
        fulltests.fulltest_save_view,
        name="fulltest-save",
    ),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("assignments/<int:pk>/start/", assignments.assignment_start, name="assignment-start"),
    path("badges/", dashboard.badge_list, name="badge-list"),
    path("review/", review.review_list, name="review-list"),
    path("review/<int:pk>/", review.review_item, name="review-item"),
    path("review/attempts/<int:pk>/", review.review_attempt, name="review-attempt"),
    path("flashcards/", flashcards.flashcard_list_view, name="flashcard-list"),
    path("flashcards/new/", flashcards.flashcard_create_view, name="flashcard-create"),
    path("flashcards/review/", flashcards.flashcard_review_next, name="flashcard-review"),
    path("flashcards/export.csv", flashcards.flashcard_export, name="flashcard-export"),
    path("flashcards/import/", flashcards.flashcard_import_view, name="flashcard-import"),
    path("flashcards/settings/", flashcards.flashcard_settings, name="flashcard-settings"),
    path("flashcards/<int:pk>/edit/", flashcards.flashcard_update_view, name="flashcard-update"),
    path("flashcards/<int:pk>/delete/", flashcards.flashcard_delete_view, name="flashcard-delete"),
    path("flashcards/<int:pk>/review/", flashcards.flashcard_rate, name="flashcard-rate"),
    path("classes/join/", institutions.class_join, name="class-join"),
    path("account/access/", institutions.access_mine, name="access-mine"),
    path("export/", exports.export_index, name="export"),
    path("export/prepnexus-export.<str:fmt>", exports.export_download, name="export-download"),
    path("mail/unsubscribe/<str:token>/", mail.mail_unsubscribe, name="mail-unsubscribe"),
]
