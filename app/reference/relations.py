"""Preferential relations under which EU exporters use REX (domain.md section 4)."""
from datetime import date

# GSP beneficiaries (Reg. 978/2012 Annex II: GSP+, standard GSP examples and EBA), domain.md 4.1.
GSP_COUNTRIES = (
    "BO CV KG MN PK PH LK UZ CG IN ID NG SY TJ "
    "AF AO BD BJ BF BI KH CF TD KM CD DJ ER ET GM GN GW HT KI LA LS LR MG MW ML MR MZ MM NP NE RW "
    "ST SN SL SB SO SS SD TZ TL TG TV UG YE ZM"
)
# Overseas countries and territories (domain.md 4.2).
OCT_TERRITORIES = "GL NC PF TF WF PM BL AW CW SX BQ"

RELATIONS = [
    ("CA", "AECG/CETA (Canada)", "CA", date(2017, 9, 21)),
    ("JP", "APE UE-Japon", "JP", date(2019, 2, 1)),
    ("CI", "APE intérimaire Côte d'Ivoire", "CI", date(2019, 12, 2)),
    ("PTOM", "Pays et territoires d'outre-mer (PTOM)", OCT_TERRITORIES, date(2020, 1, 1)),
    ("VN", "ALE UE-Vietnam", "VN", date(2020, 8, 1)),
    ("GH", "APE intérimaire Ghana", "GH", date(2020, 8, 20)),
    ("AFOA", "APE intérimaire Afrique orientale et australe (AfOA)", "KM MG MU SC ZW", date(2020, 9, 1)),
    ("GB", "Accord de commerce et de coopération UE-Royaume-Uni", "GB", date(2021, 1, 1)),
    ("SG", "ALE UE-Singapour", "SG", date(2023, 1, 1)),
    ("NZ", "ALE UE-Nouvelle-Zélande", "NZ", date(2024, 5, 1)),
    ("CL", "Accord commercial intérimaire UE-Chili", "CL", date(2025, 2, 1)),
    ("SPG", "Schéma de préférences généralisées (SPG) : cumul bilatéral et remplacement", GSP_COUNTRIES,
     date(2017, 1, 1)),
]
