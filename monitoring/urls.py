from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("health/", views.HealthView.as_view(), name="health"),
    path("health/ready", views.HealthView.as_view(), name="health-ready"),
    path("health/live", views.live, name="health-live"),
]
