"""Demo data: reference lists, accounts of every role and files in every status.

Files are built through the workflow, so demo data passes the same rules as real data.
"""
from datetime import date

from sqlalchemy import select

from app import workflow
from app.workflow import certifications, clock, eori, four_eyes, hearing, registrations
from app.workflow.content import content_of
from app.auth.passwords import hash_password
from app.extensions import db
from app.models import Certification, Company, Office, Role, User
from app.models._time import utcnow
from app.reference.loader import load_all

DEMO_PASSWORD = "Demo-2026!"

COMPANIES = [
    # eori, name, address, postcode, city
    ("FR73282932000074", "Maroquinerie de Bénéjacq SAS", "12 rue de l'Église", "64800", "Bénéjacq"),
    ("FR404833048", "Transit & Douane Conseil", "3 quai de Seine", "76600", "Le Havre"),
    ("FR552008443", "Jouets du Béarn SARL", "8 avenue des Pyrénées", "64000", "Pau"),
    ("FR443121975", "Plastiques de Normandie SA", "25 route de Caen", "14000", "Caen"),
    ("FR812345676", "Conserverie du Pays Basque", "4 chemin de l'Adour", "64100", "Bayonne"),
]


def _company(eori, name, address, postcode, city) -> Company:
    company = db.session.scalar(select(Company).where(Company.eori == eori))
    if company is None:
        company = Company(eori=eori, name=name, address=address, postcode=postcode, city=city, country="FR",
                          phone="05 59 00 00 00", email=f"contact@{eori.lower()}.example")
        db.session.add(company)
    return company


def _user(username, first, last, role, office=None, supervised=()) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, email=f"{username}@demo.example", first_name=first, last_name=last,
                    password_hash=hash_password(DEMO_PASSWORD), role=role, activated_at=utcnow(),
                    office=office, supervised_offices=list(supervised))
        db.session.add(user)
    return user


def _certify(user, company, on_behalf=False):
    if not any(c.company_id == company.id for c in user.certifications):
        user.certifications.append(Certification(company=company, on_behalf=on_behalf))


def _content(application, office: Office, goods=(("4202", "Sacs à main en cuir"),), relations=("JP", "GB")):
    content = workflow.content_of(application)
    content.office_id = office.id
    content.exporter["phone"] = content.exporter.get("phone") or "05 59 00 00 00"
    content.main_activity = "production"
    content.contacts = [{"full_name": "Éloïse Darrigrand", "address": "12 rue de l'Église", "postcode": "64800",
                         "city": "Bénéjacq", "country": "FR", "phone": "05 59 12 34 56",
                         "email": "eloise.darrigrand@demo.example", "fax": ""}]
    content.goods = [{"heading": h, "description": d} for h, d in goods]
    content.relations = list(relations)
    content.undertaking = {"accepted": True, "signatory_name": "Éloïse Darrigrand",
                           "signatory_function": "Gérante", "place": "Bénéjacq"}
    content.consent = {"consent": True, "signatory_name": "Éloïse Darrigrand",
                       "signatory_function": "Gérante", "place": "Bénéjacq"}
    return content


def _filed(actor, company, office, **kw):
    application = workflow.create_draft(actor, company)
    workflow.save_draft(actor, application, _content(application, office, **kw))
    return application


def load_demo_data() -> str:
    load_all()
    if db.session.scalar(select(User.id).where(User.username == "operateur")):
        return "demo data already loaded"
    offices = {o.code: o for o in db.session.scalars(select(Office))}
    pau_office = offices["FR000600"]  # Bordeaux Mérignac instructs the South-West files in the demo
    companies = [_company(*c) for c in COMPANIES]
    for company in companies:  # the office that decides who may act for them
        company.office_id = pau_office.id
    db.session.flush()

    operator = _user("operateur", "Éloïse", "Darrigrand", Role.OPERATOR)
    _certify(operator, companies[0])
    representative = _user("representant", "Marc", "Lefèvre", Role.REPRESENTATIVE)
    _certify(representative, companies[1])
    _certify(representative, companies[2], on_behalf=True)
    _certify(representative, companies[3], on_behalf=True)
    _certify(representative, companies[4], on_behalf=True)
    officers = {code: _user(f"agent.{code.lower()}", "Agent", office.name, Role.OFFICER, office=office)
                for code, office in offices.items()}
    _user("superviseur", "Sophie", "Martin", Role.SUPERVISOR,
          supervised=[o for o in offices.values() if o.directorate.name in ("DR de Bordeaux", "DR de Caen")])
    _user("admin", "Alain", "Dupuis", Role.ADMIN)
    db.session.commit()

    officer = officers["FR000600"]
    # The operator: an application the office rejected; it may file a new one.
    rejected = _filed(operator, companies[0], pau_office, goods=(("9503", "Peluches rembourrées"),))
    workflow.submit(operator, rejected)
    workflow.reject(officer, rejected, "Relation préférentielle inexistante pour ces marchandises.")
    # The representative's clients: one under review, one incomplete, one granted.
    under_review = _filed(representative, companies[2], pau_office, goods=(("9503", "Peluches rembourrées"),))
    workflow.submit(representative, under_review)
    incomplete = _filed(representative, companies[3], offices["FR000720"],
                        goods=(("3900", "Ouvrages en plastique"),))
    workflow.submit(representative, incomplete)
    workflow.request_information(officers["FR000720"], incomplete,
                                 "Bonjour, pourriez-vous confirmer les codes nomenclature ? Merci.")
    granted = _filed(representative, companies[4], pau_office,
                     goods=(("1604", "Conserves de thon"), ("2005", "Piperade en bocal")))
    workflow.submit(representative, granted)
    registration = workflow.grant(officer, granted)
    # That registration was modified once: a new version, the first one kept as 'Version antérieure'.
    modification = registrations.request_modification(representative, registration)
    content = content_of(modification)
    content.goods = [*content.goods, {"heading": "1902", "description": "Pâtes farcies au thon"}]
    workflow.save_draft(representative, modification, content,
                        request_comment="Ajout d'une marchandise : pâtes farcies au thon.")
    workflow.submit(representative, modification)
    version = workflow.grant(officer, modification)
    # Its office now intends to revoke it: « Révocation envisagée », the holder may present observations.
    hearing.notify_revocation_intent(officer, version, "data_not_up_to_date",
                                     "Le site de production déclaré à Ciboure est fermé depuis mars ; les données de "
                                     "l'enregistrement n'ont pas été mises à jour.")
    # The representative's own company: granted, then revoked by the office after hearing the holder.
    own = _filed(representative, companies[1], pau_office, goods=(("6403", "Chaussures à dessus en cuir"),))
    workflow.submit(representative, own)
    own_registration = workflow.grant(officer, own)
    hearing.notify_revocation_intent(officer, own_registration, "conditions_not_met",
                                     "Contrôle a posteriori : les chaussures ne sont plus fabriquées dans l'Union.")
    hearing.present_observations(representative, own_registration,
                                 "Seul le montage des semelles a lieu hors de l'Union.")
    registrations.revoke(officer, own_registration, None,
                         "Le montage hors de l'Union fait perdre l'origine préférentielle.")
    # A newcomer without any company: its EORI application is under review at Bordeaux Mérignac.
    newcomer = _user("nouveau", "Lucas", "Etchegaray", Role.OPERATOR)
    db.session.commit()
    eori_file = eori.create_draft(newcomer)
    eori.save_draft(newcomer, eori_file, {
        "basis": "siret", "person_type": "legal", "name": "Espadrilles de Mauléon SAS", "legal_form": "5710",
        "created_on": date(2019, 6, 3), "siren": "842119539", "siret": "84211953900018",
        "vat_number": "FR31842119539", "ape_code": "15.20Z", "address": "2 rue des Artisans", "postcode": "64130",
        "city": "Mauléon-Licharre", "country": "FR", "phone": "05 59 28 00 00",
        "email": "contact@espadrilles-mauleon.example", "contact_name": "Lucas Etchegaray",
        "publication_consent": True, "no_other_eori": True, "undertaking": True}, pau_office.id)
    workflow.submit(newcomer, eori_file)
    # The representative asks to act for one more client; Bordeaux Mérignac decides.
    certifications.request_certification(representative, companies[0].eori,
                                         comment="Mandat de représentation signé le 2 novembre.")
    # A draft being written, and an abandoned draft.
    _filed(representative, companies[2], pau_office)
    workflow.abandon_draft(representative, _filed(representative, companies[4], pau_office))
    # Issue 17: the Bordeaux offices decide with four eyes; one grant awaits « Valider la décision » (superviseur).
    for office in offices.values():
        if office.directorate.name == "DR de Bordeaux":
            office.four_eyes = True
    db.session.commit()
    four_eyes.propose_grant(officer, under_review)
    # The incomplete file's answer period, extended at the representative's request.
    clock.extend_deadline(officers["FR000720"], incomplete, 15,
                          "Le représentant attend la fiche technique du fabricant.", True)
    # The EORI file awaits an outside answer: its clock is suspended.
    clock.suspend_clock(officer, eori_file, "Vérification de l'établissement demandée à l'INSEE (répertoire SIRENE).")
    return "demo data loaded"
