"""Outgoing mail and mail preferences in the admin: read-only. Mail is written by services.mail only
(queued in a transaction, sent by the worker); the stored context is never shown (it may hold a reset
link's token until the mail is sent)."""

from django.contrib import admin

from prepnexus.admin import ReadOnlyAdmin

from ..models import MailPreference, OutboundMail


@admin.register(OutboundMail)
class OutboundMailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "to_address", "period", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to_address", "=period", "message_id"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    fields = [
        "kind",
        "user",
        "to_address",
        "period",
        "essential",
        "status",
        "attempts",
        "subject",
        "created_at",
        "sent_at",
        "last_error",
        "message_id",
    ]
    readonly_fields = fields
    show_full_result_count = False


@admin.register(MailPreference)
class MailPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "enabled", "changed_via", "changed_at"]
    list_filter = ["kind", "enabled", "changed_via"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "kind", "enabled", "changed_via", "changed_at"]
