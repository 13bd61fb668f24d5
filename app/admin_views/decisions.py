"""'Décisions à valider': the proposals awaiting a second officer in the offices in scope (four eyes, issue 17)."""
from flask_admin import BaseView, expose
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.admin_views.security import InstructorView
from app.extensions import db
from app.models import DecisionProposal
from app.models.proposals import PROPOSAL_PENDING
from app.workflow.access import office_scope
from app.workflow.four_eyes import action_label

LIMIT = 200


class DecisionsQueueView(InstructorView, BaseView):
    @expose("/")
    def index(self):
        proposals = db.session.scalars(
            select(DecisionProposal)
            .where(DecisionProposal.status == PROPOSAL_PENDING, DecisionProposal.office_id.in_(office_scope(current_user)))
            .options(joinedload(DecisionProposal.proposed_by))
            .order_by(DecisionProposal.proposed_at).limit(LIMIT)).all()
        return self.render("admin/decisions.html", proposals=proposals, action_label=action_label, limit=LIMIT)
