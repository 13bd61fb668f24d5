"""Customs offices with real EU COL codes (domain.md section 6.2), grouped by regional directorate.

Names are written out in full as people read them: the customs office list (COL) abbreviates them
("Nantes Atlant. bureau" is Nantes Atlantique)."""

OFFICES = [
    # (code, name, city, directorate)
    ("FR002300", "Le Havre Port", "Le Havre", "DR du Havre"),
    ("FR003920", "Rouen Port", "Rouen", "DR de Rouen"),
    ("FR002730", "Marseille Port", "Marseille", "DR de Marseille"),
    ("FR003680", "Fos Port-Saint-Louis", "Port-Saint-Louis-du-Rhône", "DR de Marseille"),
    ("FR004430", "Toulon La Seyne", "Toulon", "DR de Provence"),
    ("FR002650", "Lyon Saint-Exupéry Aéroport", "Lyon-Saint-Exupéry aéroport", "DR de Lyon"),
    ("FR003370", "Orly Aéroport", "Orly", "DR de Paris-Orly"),
    ("FR003350", "Le Bourget", "Le Bourget", "DR de Roissy"),
    ("FRA0619A", "Roissy Air France", "Roissy CDG", "DR de Roissy"),
    ("FRA0619B", "Roissy Centre Cargo", "Roissy CDG", "DR de Roissy"),
    ("FR00617C", "Roissy France Handling", "Roissy", "DR de Roissy"),
    ("FR000690", "Brest", "Brest", "DR de Bretagne"),
    ("FR000600", "Bordeaux Mérignac", "Mérignac", "DR de Bordeaux"),
    ("FR000610", "Bordeaux Bassens Port", "Carbon-Blanc", "DR de Bordeaux"),
    ("FR001260", "Dunkerque Port", "Dunkerque", "DR de Dunkerque"),
    ("FR005350", "Lille Lesquin", "Lesquin (Lille)", "DR de Lille"),
    ("FR004080", "Saint-Nazaire Montoir", "Montoir-de-Bretagne", "DR de Nantes"),
    ("FR003030", "Nantes Atlantique", "Bouguenais", "DR de Nantes"),
    ("FR003080", "Nice Aéroport", "Nice", "DR de Nice"),
    ("FR002860", "Monaco", "Monaco", "DR de Nice"),
    ("FR004440", "Toulouse Blagnac Aéroport", "Blagnac", "DR de Toulouse"),
    ("FR004290", "Strasbourg Entzheim", "Entzheim", "DR de Strasbourg"),
    ("FR000980", "Clermont-Ferrand", "Clermont-Ferrand", "DR d'Auvergne"),
    ("FR002540", "Limoges", "Limoges", "DR de Poitiers"),
    ("FR000720", "Caen", "Caen", "DR de Caen"),
    ("FR000010", "Ajaccio Port", "Ajaccio", "DR de Corse"),
]
