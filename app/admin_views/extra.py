"""Views added by later work: each module adds its own, in the order of the menu."""


def register(admin) -> None:
    from app.admin_views import administration, certificates, charts, grids, outbox, supervision

    for module in (grids, supervision, charts, administration, outbox, certificates):
        module.register(admin)
