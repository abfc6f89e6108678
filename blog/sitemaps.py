from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from . import selectors


class PostSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return selectors.sitemap_posts()

    def lastmod(self, item):
        return item.updated_at


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return selectors.sitemap_tags()

    def lastmod(self, item):
        return item.last_modified


class StaticSitemap(Sitemap):
    """Public pages that are not posts: home, sign-up, log-in and the blog index."""

    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return ["home", "signup", "login", "blog:post-list"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"static": StaticSitemap, "posts": PostSitemap, "tags": TagSitemap}
