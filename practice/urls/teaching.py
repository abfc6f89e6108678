"""Teacher and institution-admin routes (namespace "teach"), all under /teach/."""

from django.urls import path

from ..views import assignments, classes, institutions, rosters

app_name = "teach"

urlpatterns = [
    path("", institutions.class_list, name="class-list"),
    path("classes/new/", institutions.class_create, name="class-create"),
    path("classes/<int:pk>/", classes.class_detail, name="class-detail"),
    path("classes/<int:pk>/export.csv", classes.class_export, name="class-export"),
    path("classes/<int:pk>/learners/<int:learner_pk>/", classes.learner_detail, name="learner-detail"),
    path(
        "classes/<int:pk>/learners/<int:learner_pk>/accommodations/",
        classes.learner_accommodations,
        name="learner-accommodations",
    ),
    path("classes/<int:pk>/assignments/new/", assignments.assignment_create, name="assignment-create"),
    path("assignments/<int:pk>/", assignments.assignment_detail, name="assignment-detail"),
    path(
        "assignments/<int:pk>/learners/<int:learner_pk>/report/",
        assignments.assignment_learner_report,
        name="assignment-learner-report",
    ),
    path("classes/<int:pk>/settings/", institutions.class_settings, name="class-settings"),
    path("classes/<int:pk>/roster/", rosters.class_roster_upload, name="class-roster-upload"),
    path("institutions/<int:pk>/", institutions.institution_detail, name="institution-detail"),
    path("institutions/<int:pk>/roster/", rosters.roster_upload, name="roster-upload"),
    path("institutions/<int:pk>/access/", institutions.access_list, name="access-list"),
    path("institutions/<int:pk>/access.csv", institutions.access_export, name="access-export"),
]
