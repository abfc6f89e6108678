import re

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

RESERVED_SLUGS = {"feed", "atom", "tag"}  # /blog/feed/ and friends
_STATIC_IMAGE = re.compile(r"^[\w-]+(/[\w.-]+)*\.(png|jpe?g|webp|avif|gif|svg)$", re.IGNORECASE)


def validate_cover_image(value: str) -> None:
    """A cover is an https:// image URL or the path of an image among the static files."""
    if value.startswith(("http://", "https://")):
        URLValidator(schemes=["https"], message="Use an https:// address.")(value)
        return
    if ".." in value or not _STATIC_IMAGE.match(value):
        raise ValidationError("Give a static image path such as img/blog/cover.svg, or an https:// address.")
    if not finders.find(value):
        raise ValidationError("No static file %(value)s exists.", params={"value": value})


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:tag-detail", kwargs={"slug": self.slug})


class PostQuerySet(models.QuerySet):
    def published(self, now=None):
        """Posts visitors can read: published, and their publish time has come."""
        return self.filter(status=Post.Status.PUBLISHED, publish_at__lte=now or timezone.now())

    def scheduled(self, now=None):
        return self.filter(status=Post.Status.PUBLISHED, publish_at__gt=now or timezone.now())

    def drafts(self):
        return self.filter(status=Post.Status.DRAFT)

    def newest_first(self):
        return self.order_by("-publish_at", "-id")


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, help_text="The post's address: /blog/<slug>/.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="blog_posts",
        limit_choices_to={"is_staff": True},
    )
    summary = models.TextField(max_length=500, help_text="One or two sentences for lists and feeds.")
    body = models.TextField(help_text="Markdown: headings, lists, links, tables and ``` code blocks.")
    body_html = models.TextField(editable=False, default="")
    reading_minutes = models.PositiveSmallIntegerField(editable=False, default=1)
    cover_image = models.CharField(
        max_length=300,
        blank=True,
        validators=[validate_cover_image],
        help_text="Optional: a static image path (img/blog/cover.svg) or an https:// image address.",
    )
    cover_alt = models.CharField(
        "cover alt text", max_length=200, blank=True, help_text="What the cover shows, for screen readers."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A published post goes live at this time; a future time schedules it. Empty: now.",
    )
    seo_title = models.CharField(
        "SEO title", max_length=70, blank=True, help_text="Title for search engines; the title if empty."
    )
    seo_description = models.CharField(
        "SEO description", max_length=160, blank=True, help_text="Search snippet; the summary if empty."
    )
    tags = models.ManyToManyField(Tag, related_name="posts", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-id"]
        indexes = [models.Index(fields=["status", "-publish_at"], name="blog_post_status_publish_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(publish_at__isnull=False),
                name="blog_post_published_has_publish_at",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="blog_post_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(cover_image="") | ~Q(cover_alt=""), name="blog_post_cover_has_alt"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("blog:post-detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": "This address is taken by the blog itself; choose another slug."})
        if self.cover_image and not self.cover_alt.strip():
            raise ValidationError({"cover_alt": "Describe the cover image for readers who cannot see it."})
        if self.status == self.Status.PUBLISHED and self.publish_at is None:
            raise ValidationError({"publish_at": "A published post needs a publish time."})

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.publish_at > timezone.now()

    @property
    def state_label(self) -> str:
        """Draft, Scheduled or Published, as staff see it."""
        if self.status == self.Status.DRAFT:
            return "Draft"
        return "Scheduled" if self.is_scheduled else "Published"

    @property
    def page_title(self) -> str:
        return self.seo_title or self.title

    @property
    def page_description(self) -> str:
        return self.seo_description or self.summary

    @property
    def author_name(self) -> str:
        """The byline: the author's display or full name, never their login name."""
        try:
            display_name = self.author.profile.display_name
        except models.ObjectDoesNotExist:
            display_name = ""
        return display_name or self.author.get_full_name() or "PrepNexus Team"

    @property
    def cover_url(self) -> str:
        """The cover's URL, or "" when there is none or its static file has gone."""
        if not self.cover_image:
            return ""
        if self.cover_image.startswith("https://"):
            return self.cover_image
        try:
            return static(self.cover_image)
        except ValueError:  # not in the static manifest
            return ""
