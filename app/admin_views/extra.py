"""Views added by later work: each module adds its own (batch, grids, supervision, administration)."""


def register(admin) -> None:
    return None
