"""Views added by later work: each module adds its own (grids, supervision, administration)."""


def register(admin) -> None:
    from app.admin_views import administration, grids, supervision

    grids.register(admin)
    supervision.register(admin)
    administration.register(admin)
    from app.admin_views import outbox; outbox.register(admin)  # noqa: E702
    from app.admin_views import operations; operations.register(admin)  # noqa: E702
    from app.admin_views import certificates; certificates.register(admin)  # noqa: E702
