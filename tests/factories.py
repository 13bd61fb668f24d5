"""Test data built through the same actions as real data (CKAN-style factories)."""
import itertools

from sqlalchemy import select

from app import workflow
from app.auth.passwords import hash_password
from app.extensions import db
from app.models import Certification, Company, Office, Role, User
from app.models._time import utcnow

PASSWORD = "Secret-2026!"
_seq = itertools.count(1)
# Valid SIRENs (Luhn), used as EORI-SIREN numbers: FR + SIREN.
SIRENS = ["732829320", "404833048", "552008443", "443121975", "812345676", "356000000", "120027016",
          "130005481", "542107651", "572015246"]


class Factory:
    def office(self, code="FR000600") -> Office:
        return db.session.scalar(select(Office).where(Office.code == code))

    def company(self, **overrides) -> Company:
        n = next(_seq)
        siren = SIRENS[n % len(SIRENS)]
        eori = overrides.pop("eori", None) or f"FR{siren}{n:05d}"[:17]
        company = Company(eori=eori, name=overrides.pop("name", f"Société {n}"), address="1 rue du Port",
                          postcode="76600", city="Le Havre", country="FR", phone="02 35 00 00 00",
                          email=f"societe{n}@example.com", **overrides)
        db.session.add(company)
        db.session.commit()
        return company

    def user(self, role=Role.OPERATOR, companies=(), clients=(), office=None, supervised=(), **overrides) -> User:
        n = next(_seq)
        user = User(username=overrides.pop("username", f"user{n}"), email=overrides.pop("email", f"user{n}@example.com"),
                    first_name=overrides.pop("first_name", "Jeanne"), last_name=overrides.pop("last_name", f"Durand{n}"),
                    password_hash=hash_password(PASSWORD), role=role, activated_at=utcnow(), office=office,
                    supervised_offices=list(supervised), **overrides)
        user.certifications = [Certification(company=c) for c in companies] + [
            Certification(company=c, on_behalf=True) for c in clients]
        db.session.add(user)
        db.session.commit()
        return user

    def operator(self, company=None) -> User:
        return self.user(Role.OPERATOR, companies=[company or self.company()])

    def representative(self, clients=None) -> User:
        return self.user(Role.REPRESENTATIVE, companies=[self.company(name="Transit Conseil")],
                         clients=clients if clients is not None else [self.company(), self.company()])

    def officer(self, office_code="FR000600") -> User:
        return self.user(Role.OFFICER, office=self.office(office_code))

    def content(self, application, office_code="FR000600", **changes):
        content = workflow.content_of(application)
        content.office_id = self.office(office_code).id
        content.exporter["phone"] = content.exporter.get("phone") or "02 35 00 00 00"
        content.exporter["email"] = content.exporter.get("email") or "exportateur@example.com"
        content.main_activity = "production"
        content.contacts = [{"full_name": "Éloïse Darrigrand", "address": "12 rue de l'Église", "postcode": "64800",
                             "city": "Bénéjacq", "country": "FR", "phone": "05 59 12 34 56",
                             "email": "eloise@example.com", "fax": ""}]
        content.goods = [{"heading": "4202", "description": "Sacs à main en cuir"}]
        content.relations = ["JP", "GB"]
        content.undertaking = {"accepted": True, "signatory_name": "Éloïse Darrigrand",
                               "signatory_function": "Gérante", "place": "Bénéjacq"}
        content.consent = {"consent": True, "signatory_name": "Éloïse Darrigrand",
                           "signatory_function": "Gérante", "place": "Bénéjacq"}
        for key, value in changes.items():
            setattr(content, key, value)
        return content

    def draft(self, operator, company=None, office_code="FR000600", **changes):
        application = workflow.create_draft(operator, company)
        if company is not None or application.company_id:
            content = self.content(application, office_code, **changes)
            if company is not None:
                content.company_id = company.id
            workflow.save_draft(operator, application, content)
        return application

    def submitted(self, operator, company=None, office_code="FR000600", **changes):
        application = self.draft(operator, company, office_code, **changes)
        workflow.submit(operator, application)
        return application

    def incomplete(self, operator, officer, company=None, message="Merci de préciser vos marchandises."):
        application = self.submitted(operator, company, officer.office.code)
        workflow.request_information(officer, application, message)
        return application

    def rejected(self, operator, officer, company=None, reason="Relation préférentielle inexistante."):
        application = self.submitted(operator, company, officer.office.code)
        workflow.reject(officer, application, reason)
        return application

    def granted(self, operator, officer, company=None):
        application = self.submitted(operator, company, officer.office.code)
        workflow.grant(officer, application)
        return application
