from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


@admin.register(User)
class LearnerAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "email", "is_staff", "is_active", "date_joined", "last_login"]
    search_fields = ["username", "email", "profile__display_name"]


# Learning models (proficiency, badges, review, flashcards).
from . import admin_learning  # noqa: E402, F401
