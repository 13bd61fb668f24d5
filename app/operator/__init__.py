"""The operator blueprint (views.py) and the modules that add routes to it."""
from app.operator import certificates  # noqa: F401  (registers its route on the blueprint)
from app.operator import eori  # noqa: F401  (the EORI form, recap and confirmation)
from app.operator import certifications  # noqa: F401  ('Mes habilitations')
