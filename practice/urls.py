from django.urls import path

from . import views

app_name = "practice"

urlpatterns = [
    path("practice/", views.session_list, name="session-list"),
    path("practice/start/", views.session_create, name="session-create"),
    path("practice/sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("practice/sessions/<int:pk>/q/<int:position>/", views.item_detail, name="item-detail"),
    path("practice/sessions/<int:pk>/q/<int:position>/answer/", views.answer_create, name="answer-create"),
    path("practice/sessions/<int:pk>/q/<int:position>/flag/", views.item_flag, name="item-flag"),
    path("practice/sessions/<int:pk>/finish/", views.session_finish, name="session-finish"),
    path("practice/sessions/<int:pk>/results/", views.session_results, name="session-results"),
    path("practice/sessions/<int:pk>/mistakes/", views.session_mistakes, name="session-mistakes"),
]

# Learning pages (dashboard, review, flashcards, badges, export).
from .urls_learning import urlpatterns as learning_urlpatterns  # noqa: E402

urlpatterns += learning_urlpatterns
