from django.urls import path

from . import views

app_name = "blog"

urlpatterns = [
    path("blog/", views.post_list, name="post-list"),
    path("blog/feed/", views.rss_feed, name="rss-feed"),
    path("blog/atom/", views.atom_feed, name="atom-feed"),
    path("blog/tag/<slug:slug>/", views.tag_detail, name="tag-detail"),
    path("blog/<slug:slug>/", views.post_detail, name="post-detail"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
]
