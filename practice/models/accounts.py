"""Accounts: the user model and the learner's profile."""

import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower, Mod
from django.db.models.lookups import Exact

# An unusable password (it starts with "!", as set_unusable_password() writes) that marks an account the
# legacy import could not bring a password for: its owner must set one through the password reset.
LEGACY_MUST_RESET_PREFIX = "!legacy-must-reset$"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("%(value)s is not a known time zone.", params={"value": value})


class User(AbstractUser):
    """A PrepNexus account. Learners and staff alike; email is unique regardless of case."""

    email = models.EmailField("email address")
    # Set when the address is known to be the owner's: accounts created from a roster are verified by
    # whoever created them, and that is recorded. A roster matches existing accounts by verified email only.
    email_verified_at = models.DateTimeField(null=True, blank=True)
    email_verified_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(condition=~models.Q(email=""), name="user_email_not_blank"),
        ]

    def __str__(self):
        return self.username


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=80, blank=True)
    target_score = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(400), MaxValueValidator(1600)],
        help_text="Total score you are aiming for, 400 to 1600.",
    )
    test_date = models.DateField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_score__isnull=True)
                | models.Q(Exact(Mod("target_score", 10), 0), target_score__gte=400, target_score__lte=1600),
                name="profile_target_score_range",
            ),
        ]

    def __str__(self):
        return self.display_name or self.user.username

    def clean(self):
        if self.target_score is not None and self.target_score % 10:
            raise ValidationError({"target_score": "Scores come in steps of 10."})
