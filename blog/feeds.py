import re

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from . import selectors

_TAG_LIKE = re.compile(r"<[^<>]*>")


def plain_text(text: str) -> str:
    """Text with nothing tag-like left, even after removals rejoin fragments ("<scr<b>ipt>")."""
    previous = None
    while previous != text:
        previous, text = text, _TAG_LIKE.sub("", text)
    return re.sub(r"<(?=[A-Za-z/!?])", "< ", text)


class LatestPostsFeed(Feed):
    """RSS 2.0: the latest live posts, with their full sanitized body."""

    title = "PrepNexus blog"
    link = reverse_lazy("blog:post-list")
    description = "Strategy, pacing and study advice for the Digital SAT."

    def items(self):
        return selectors.feed_posts()

    def item_title(self, item):
        # Titles are plain text, but some feed readers render them as HTML: drop anything tag-like.
        return plain_text(item.title)

    def item_description(self, item):
        return item.body_html

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author_name

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed
    subtitle = LatestPostsFeed.description
