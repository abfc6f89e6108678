from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("health/", views.HealthView.as_view(), name="health"),
    path("health/ready", views.HealthView.as_view(), name="health-ready"),
    path("health/live", views.live, name="health-live"),
    path("metrics", views.prometheus_metrics, name="metrics"),
    path("api/monitoring/database/health", views.database_health, name="database-health"),
    path("api/monitoring/performance", views.performance, name="performance"),
    path("monitoring/", views.dashboard, name="dashboard"),
]
