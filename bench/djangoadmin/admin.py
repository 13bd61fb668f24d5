from django.contrib import admin

from bench.djangoadmin.models import AllFiles, ToInstruct

OFFICE_ID = None  # set by bench/django_admin.py: the busiest office, as the officer of our bench sees it


class QueueAdmin(admin.ModelAdmin):
    """What our QueueView shows, with Django's defaults for the rest (its own pagination, filters, search)."""

    list_display = ("reference", "exporter_name", "exporter_eori", "kind", "submitted_at", "updated_at", "status",
                    "assigned_officer", "answer_deadline")
    list_filter = ("status", ("assigned_officer", admin.EmptyFieldListFilter))
    search_fields = ("reference", "exporter_name")
    ordering = ("-updated_at", "-id")
    list_per_page = 20
    list_select_related = ("assigned_officer",)
    show_full_result_count = False
    statuses = ()

    def get_queryset(self, request):
        qs = super().get_queryset(request).filter(office_id=OFFICE_ID)
        if self.statuses:
            qs = qs.filter(status__in=self.statuses)
        else:
            qs = qs.exclude(status="draft").filter(submitted_at__isnull=False)
        return qs


@admin.register(ToInstruct)
class ToInstructAdmin(QueueAdmin):
    statuses = ("under_review",)


@admin.register(AllFiles)
class AllFilesAdmin(QueueAdmin):
    pass
