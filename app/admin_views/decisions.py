"""'Décisions à valider': the proposals awaiting a second officer in the offices in scope (four eyes, issue 17)."""
from flask_admin import BaseView, expose
from flask_login import current_user
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from app.admin_views.security import InstructorView
from app.extensions import db
from app.models import Application, DecisionProposal, Registration
from app.models.proposals import PROPOSAL_PENDING
from app.workflow.access import office_scope
from app.workflow import four_eyes
from app.workflow.four_eyes import action_label

LIMIT = 200


class DecisionsQueueView(InstructorView, BaseView):
    @expose("/")
    def index(self):
        # A file closed meanwhile (abandoned by the holder, rejected at its deadline) leaves nothing to approve.
        still_open = or_(
            and_(DecisionProposal.registration_id.is_(None), Application.status.in_(four_eyes.OPEN)),
            and_(DecisionProposal.registration_id.is_not(None), Registration.status.in_(four_eyes.LIVE)))
        proposals = db.session.scalars(
            select(DecisionProposal)
            .join(Application, Application.id == DecisionProposal.application_id)
            .outerjoin(Registration, Registration.id == DecisionProposal.registration_id)
            .where(DecisionProposal.status == PROPOSAL_PENDING, DecisionProposal.office_id.in_(office_scope(current_user)),
                   still_open)
            .options(joinedload(DecisionProposal.proposed_by))
            .order_by(DecisionProposal.proposed_at).limit(LIMIT)).all()
        return self.render("admin/decisions.html", proposals=proposals, action_label=action_label, limit=LIMIT)
