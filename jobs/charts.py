"""The supervisors' charts: every office's aggregates counted again (app/admin_views/charts.py), every 5 minutes."""
from app.admin_views.charts import refresh_all_snapshots
from jobs.app_context import with_app_context


@with_app_context
def refresh_chart_snapshots() -> int:
    return refresh_all_snapshots()
