"""The operator blueprint (common.py) and the modules that add its routes."""
from app.operator import views  # noqa: F401  (home, lists, the REX form, the application page)
from app.operator import certificates  # noqa: F401  (registers its route on the blueprint)
from app.operator import eori  # noqa: F401  (the EORI form, recap and confirmation)
from app.operator import certifications  # noqa: F401  ('Mes habilitations')
from app.operator import search  # noqa: F401  ('Rechercher une demande ou une autorisation')
