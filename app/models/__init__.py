"""SQLAlchemy models, one module per aggregate."""
from app.models.offices import Directorate, Office, office_supervisors
from app.models.companies import Company
from app.models.users import Certification, Role, User
from app.models.reference import PreferentialRelation, TariffHeading
from app.models.applications import (
    Application,
    ApplicationKind,
    ApplicationRelation,
    ApplicationStatus,
    Contact,
    GoodsLine,
    PublicationConsent,
    Undertaking,
)
from app.models.registrations import Registration, RegistrationCertificate, RegistrationStatus, RevocationGround
from app.models.documents import Document
from app.models.history import HistoryEvent
from app.models.messages import DiscussionMessage
from app.models.outbox import OutboxEmail
from app.models.transmissions import RexTransmission
from app.models.eori import CertificationRequest, CertificationStatus, EoriBasis, EoriRequest, PersonType
from app.models.sessions import UserSession
from app.models.admin_log import AdminLogEntry
from app.models.proposals import DecisionProposal
from app.models.officer_work import BackgroundTask, BackgroundTaskItem, ChartSnapshot, FileRead, SavedView

__all__ = [
    "AdminLogEntry", "Application", "BackgroundTask", "BackgroundTaskItem", "ChartSnapshot", "DecisionProposal",
    "FileRead", "SavedView", "ApplicationKind", "ApplicationRelation", "ApplicationStatus", "Certification",
    "CertificationRequest", "CertificationStatus", "Company", "EoriBasis", "EoriRequest", "PersonType", "Contact", "Directorate", "DiscussionMessage", "Document", "GoodsLine", "HistoryEvent",
    "Office", "OutboxEmail", "PreferentialRelation", "PublicationConsent", "Registration", "RegistrationCertificate",
    "RegistrationStatus", "RevocationGround", "RexTransmission", "Role", "TariffHeading", "Undertaking", "User",
    "UserSession",
    "office_supervisors",
]
