from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import services
from .models import Post, Tag

User = get_user_model()


class PostStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", "Draft"), ("scheduled", "Scheduled"), ("live", "Published (live)")]

    def queryset(self, request, queryset):
        now = timezone.now()
        match self.value():
            case "draft":
                return queryset.drafts()
            case "scheduled":
                return queryset.scheduled(now)
            case "live":
                return queryset.published(now)
        return queryset


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Every save, delete and action goes through blog.services, so cached pages are invalidated."""

    list_display = ("title", "state", "publish_at", "author", "reading_minutes", "updated_at")
    list_filter = (PostStateFilter, "tags", "author")
    list_select_related = ("author",)
    search_fields = ("title", "slug", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("tags",)
    date_hierarchy = "publish_at"
    ordering = ("-publish_at", "-id")
    readonly_fields = ("reading_minutes", "created_at", "updated_at")
    actions = ("publish", "unpublish")
    fieldsets = (
        (None, {"fields": ("title", "slug", "author", "summary", "body", "tags")}),
        ("Publishing", {"fields": ("status", "publish_at", "reading_minutes", "created_at", "updated_at")}),
        ("Cover image", {"fields": ("cover_image", "cover_alt"), "classes": ("collapse",)}),
        (
            "Search engines and sharing",
            {"fields": ("seo_title", "seo_description"), "classes": ("collapse",)},
        ),
    )

    @admin.display(description="state", ordering="status")
    def state(self, post: Post) -> str:
        if post.is_scheduled:
            return f"Scheduled for {timezone.localtime(post.publish_at):%Y-%m-%d %H:%M}"
        return post.state_label

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in services.POST_FIELDS}
        tags = form.cleaned_data.get("tags", [])
        if change:
            services.post_update(post=obj, tags=tags, **fields)
        else:
            created = services.post_create(tags=tags, **fields)
            obj.pk = created.pk
            for name in ("body_html", "reading_minutes", "publish_at", "created_at", "updated_at"):
                setattr(obj, name, getattr(created, name))
            obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # The service in save_model already set the tags; only inlines (none today) remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        services.post_delete(post=obj)

    def delete_queryset(self, request, queryset):
        for post in queryset:
            services.post_delete(post=post)

    @admin.action(description="Publish selected posts (at their publish time, or now if none)")
    def publish(self, request, queryset):
        self._each(request, queryset, services.post_publish, "published or scheduled")

    @admin.action(description="Unpublish selected posts (back to draft)")
    def unpublish(self, request, queryset):
        self._each(
            request, queryset.filter(~Q(status=Post.Status.DRAFT)), services.post_unpublish, "unpublished"
        )

    def _each(self, request, queryset, service, verb):
        done = 0
        for post in queryset:
            try:
                service(post=post)
            except ValidationError as exc:
                self.message_user(
                    request, f"“{post}” was not changed: {'; '.join(exc.messages)}", messages.ERROR
                )
            else:
                done += 1
        self.message_user(request, f"{done} post{'s' if done != 1 else ''} {verb}.", messages.SUCCESS)

    def get_urls(self):
        preview = self.admin_site.admin_view(require_POST(self.preview_view))
        return [path("preview/", preview, name="blog_post_preview"), *super().get_urls()]

    def preview_view(self, request):
        """Render the form's unsaved Markdown as the post page would show it (no JavaScript needed)."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        body = request.POST.get("body", "")
        author_id = request.POST.get("author", "")
        author = (
            author_id.isdigit() and User.objects.filter(pk=author_id, is_staff=True).first()
        ) or request.user
        status = request.POST.get("status")
        post = Post(
            title=request.POST.get("title", "").strip() or "Untitled",
            summary=request.POST.get("summary", ""),
            body=body,
            author=author,
            status=status if status in Post.Status.values else Post.Status.DRAFT,
            publish_at=timezone.now(),
        )
        services.post_body_render(post)
        tag_ids = [value for value in request.POST.getlist("tags") if value.isdigit()]
        context = {
            "post": post,
            "post_tags": list(Tag.objects.filter(pk__in=tag_ids)),
            "preview": True,
            "admin_preview": True,
            "messages": (),
        }
        response = render(request, "blog/post_detail.html", context)
        response["Cache-Control"] = "private, no-store"
        return response


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        if change:
            services.tag_update(tag=obj, name=obj.name, slug=obj.slug)
        else:
            obj.pk = services.tag_create(name=obj.name, slug=obj.slug).pk
            obj._state.adding = False

    def delete_model(self, request, obj):
        services.tag_delete(tag=obj)

    def delete_queryset(self, request, queryset):
        for tag in queryset:
            services.tag_delete(tag=tag)
