"""Item statistics in the question admin: changelist columns, a "misbehaving" filter, a panel per question.

The changelist fetches the statistics of the page's questions in one query after the page is chosen
(`ItemStatsChangeList`), so its query count does not grow with the page size; the filter runs one
query over the whole bank.
"""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.utils.html import format_html, format_html_join

from ..selectors.item_stats import FLAGS, MIN_RESPONSES, ItemStats, flagged_question_ids, item_statistics


class ItemStatsChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        stats = item_statistics(question_ids=[question.pk for question in self.result_list])
        for question in self.result_list:
            question.item_stats = stats.get(question.pk)


class MisbehavingFilter(admin.SimpleListFilter):
    title = "misbehaving"
    parameter_name = "misbehaving"

    def lookups(self, request, model_admin):
        return [("any", "Any flag"), *FLAGS.items()]

    def queryset(self, request, queryset):
        if self.value() not in {"any", *FLAGS}:
            return queryset
        return queryset.filter(
            pk__in=flagged_question_ids(flag=None if self.value() == "any" else self.value())
        )


def _stats(obj) -> ItemStats | None:
    return getattr(obj, "item_stats", None)


class ItemStatsAdminMixin:
    """Columns and a change-page panel for QuestionAdmin; mix in before admin.ModelAdmin."""

    def get_changelist(self, request, **kwargs):
        return ItemStatsChangeList

    @admin.display(description="p")
    def p_value(self, obj):
        stats = _stats(obj)
        return "-" if stats is None else f"{stats.p_value:.2f}"

    @admin.display(description="r pb")
    def discrimination(self, obj):
        stats = _stats(obj)
        return "-" if stats is None or stats.point_biserial is None else f"{stats.point_biserial:.2f}"

    @admin.display(description="flags")
    def item_flags(self, obj):
        stats = _stats(obj)
        return ", ".join(flag.replace("_", " ") for flag in stats.flags) if stats and stats.flags else ""

    @admin.display(description="item statistics")
    def item_statistics_panel(self, obj):
        stats = item_statistics(question_ids=[obj.pk]).get(obj.pk) if obj.pk else None
        if stats is None:
            return "No answers yet."
        rows = [
            ("Responses", str(stats.responses)),
            ("p-value (proportion right)", f"{stats.p_value:.2f}"),
            (
                "Point-biserial (vs rest score)",
                "-" if stats.point_biserial is None else f"{stats.point_biserial:.2f}",
            ),
            ("Mean time", "unknown" if stats.mean_seconds is None else f"{stats.mean_seconds:.1f} s"),
        ]
        shares = stats.option_shares
        for label, count in stats.option_counts.items():
            mark = " (correct)" if label == stats.correct_label else ""
            rows.append((f"Option {label}{mark}", f"{count} ({shares[label]:.0%})"))
        if stats.responses < MIN_RESPONSES:
            rows.append(("Flags", f"not judged below {MIN_RESPONSES} responses"))
        else:
            rows.append(("Flags", "; ".join(stats.flag_texts) or "none"))
        return format_html(
            '<table class="item-statistics">{}</table>',
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
        )
