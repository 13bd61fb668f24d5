"""The schema and the data of the load benchmark (bench/load/run.py).

The schema is built by the Alembic migrations, the bulk of the files (100,000 by default) is copied by the
loader of bench/queues.py, and what the load touches is written through the workflow, as app/demo.py does:

- 10 officers ``officier.01``… of the two busiest offices (5 each);
- 50 operators ``operateur.0001``… (accounts made by the bulk loader), each certified for its own companies
  (``FR9…`` EORIs, never shared between operators): some with a granted registration, some with a file under
  review, and ``free`` ones with neither, for which the load files new applications (one pending file per
  company is a rule of the product, so an operator who files repeatedly needs several companies);
- registrations granted by the offices, 80% with consent to publication, 10% revoked: what the public register
  and its API answer with;
- files under review, unassigned, in the two offices: what the officers of the load grant or send back.

``ensure_population`` is idempotent and tops every count up, so a run after another one (which consumed free
companies and pending files) starts from the same population without a reload.
"""
from __future__ import annotations

import random
import time
from datetime import datetime, timezone

from flask_migrate import upgrade
from sqlalchemy import exists, func, insert, select, text

from app import workflow
from app.extensions import db
from app.models import (
    Application, ApplicationKind, ApplicationStatus, Certification, Company, Registration, RegistrationStatus, Role,
    User,
)
from app.models.registrations import ACTIVE_REGISTRATION_STATUSES
from app.reference.loader import load_all
from app.workflow import hearing
from app.workflow import registrations as registration_workflow
from bench.queues import (
    CITIES, FORMS, PASSWORD, STREETS, SURNAMES, TRADES, admin_engine, bulk_load, log, recreate_schema,
    vacuum_analyze,
)

S = ApplicationStatus
OFFICER_PREFIX = "officier."
OPERATOR_PREFIX = "operateur."
LOAD_EORI_PREFIX = "FR9"  # FR + 14 digits, like a SIRET; the bulk loader's companies are FR1…
PENDING = (S.UNDER_REVIEW, S.INCOMPLETE)
KEEP_USED = 3  # companies an operator keeps after filing for them (its files under review, its registrations)
GOODS = (("4202", "Sacs à main en cuir"), ("6403", "Chaussures à dessus en cuir"), ("9503", "Jouets en bois"),
         ("1604", "Conserves de thon"), ("2204", "Vins de Bordeaux"), ("3923", "Emballages en plastique"),
         ("8471", "Terminaux de saisie"), ("6109", "T-shirts en coton"), ("0406", "Fromages au lait cru"),
         ("8708", "Pièces de carrosserie"))
RELATIONS = ("JP", "GB", "CA", "VN", "NZ")
FIRST_NAMES = ("Éloïse", "Marc", "Sophie", "Jean", "Claire", "Luc", "Amélie", "Hugo", "Inès", "Paul")


def operator_names(count: int) -> list[str]:
    return [f"{OPERATOR_PREFIX}{n:04d}" for n in range(1, count + 1)]


def is_built(url: str, schema: str) -> bool:
    """The schema exists and holds this benchmark's officers (the last thing a build writes first)."""
    engine = admin_engine(url)
    try:
        with engine.connect() as conn:
            if conn.scalar(text("SELECT to_regclass(:t)"), {"t": f'"{schema}"."user"'}) is None:
                return False
            return conn.scalar(text(f'SELECT count(*) FROM "{schema}"."user" WHERE username LIKE :p'),
                               {"p": OFFICER_PREFIX + "%"}) > 0
    finally:
        engine.dispose()


def build_schema(app, url: str, schema: str, files: int, seed: int) -> None:
    """DROP/CREATE the schema, migrations, reference data, the bulk files of bench/queues.py."""
    started = time.perf_counter()
    recreate_schema(url, schema)
    with app.app_context():
        upgrade()
        load_all()
        log(f"  schema {schema!r} built by the migrations, reference data loaded "
            f"({time.perf_counter() - started:.1f} s)")
        bulk_load(files, 0, seed)
        vacuum_analyze()
        db.session.remove()
    log(f"  {files:,} bulk files copied ({time.perf_counter() - started:.1f} s)")


# --- accounts and companies ------------------------------------------------------------------------

def busiest_offices(count: int = 2) -> list[int]:
    """The offices of the existing officers of the load, else the busiest ones of the bulk data."""
    existing = list(db.session.scalars(select(User.office_id).where(User.username.like(OFFICER_PREFIX + "%"))
                                      .distinct().order_by(User.office_id)))
    if existing:
        return existing
    rows = db.session.execute(select(Application.office_id, func.count()).where(Application.office_id.is_not(None))
                              .group_by(Application.office_id).order_by(func.count().desc()).limit(count)).all()
    return sorted(r[0] for r in rows)


def ensure_officers(offices: list[int], count: int) -> dict[int, list[User]]:
    existing = {u.username for u in db.session.scalars(select(User).where(User.username.like(OFFICER_PREFIX + "%")))}
    template = db.session.scalar(select(User.password_hash).where(User.username == f"{OPERATOR_PREFIX}0001"))
    now = datetime.now(timezone.utc)
    rows = []
    for n in range(1, count + 1):
        username = f"{OFFICER_PREFIX}{n:02d}"
        if username not in existing:
            office = offices[(n - 1) % len(offices)]
            rows.append(dict(username=username, email=f"{username}@load.douane.example", first_name="Officier",
                             last_name=f"{n:02d}", role=Role.OFFICER, office_id=office, password_hash=template,
                             activated_at=now, created_at=now, is_enabled=True))
    if rows:
        db.session.execute(insert(User), rows)
        db.session.commit()
    by_office: dict[int, list[User]] = {o: [] for o in offices}
    for user in db.session.scalars(select(User).where(User.username.like(OFFICER_PREFIX + "%")).order_by(User.id)):
        by_office.setdefault(user.office_id, []).append(user)
    return by_office


def new_companies(owner: User, count: int, rng: random.Random) -> list[Company]:
    """Companies with a fresh FR9… EORI, certified for `owner` alone."""
    last = db.session.scalar(select(func.max(Company.eori)).where(Company.eori.like(LOAD_EORI_PREFIX + "%")))
    start = int(last[len(LOAD_EORI_PREFIX):]) + 1 if last else 1
    companies = []
    for n in range(start, start + count):
        postcode, city = CITIES[rng.randrange(len(CITIES))]
        company = Company(eori=f"{LOAD_EORI_PREFIX}{n:013d}", name=f"{rng.choice(SURNAMES)} {rng.choice(TRADES)} "
                          f"{rng.choice(FORMS)}", address=f"{rng.randrange(1, 300)} {rng.choice(STREETS)}",
                          postcode=postcode, city=city, country="FR", phone=f"05 59 {rng.randrange(10**6):06d}",
                          email=f"export{n}@charge.example")
        db.session.add(company)
        companies.append(company)
    db.session.flush()
    for company in companies:
        db.session.add(Certification(user_id=owner.id, company_id=company.id, on_behalf=False))
    db.session.commit()
    return companies


def free_companies_query(user_ids):
    """(user id, company) of the certified companies that may file now: no pending REX file, no live
    registration (rules.conflicting_file)."""
    pending = exists().where(Application.company_id == Certification.company_id,
                             Application.kind == ApplicationKind.REX, Application.status.in_(PENDING))
    registered = exists().where(Registration.company_id == Certification.company_id,
                                Registration.status.in_(ACTIVE_REGISTRATION_STATUSES))
    return (select(Certification.user_id, Company).join(Company, Company.id == Certification.company_id)
            .where(Certification.user_id.in_(user_ids), ~pending, ~registered,
                   Company.eori.like(LOAD_EORI_PREFIX + "%")).order_by(Certification.user_id, Company.id))


# --- files through the workflow ---------------------------------------------------------------------

def _content(application, office_id: int, company: Company, consent: bool, rng: random.Random):
    content = workflow.content_of(application)
    content.office_id = office_id
    content.company_id = company.id
    content.main_activity = rng.choice(("production", "trade"))
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    content.contacts = [{"full_name": f"{first} {last}", "address": company.address, "postcode": company.postcode,
                         "city": company.city, "country": "FR", "phone": company.phone,
                         "email": f"{first.lower()}.{last.lower()}@charge.example", "fax": ""}]
    content.goods = [{"heading": h, "description": d} for h, d in rng.sample(GOODS, rng.randint(1, 3))]
    content.relations = rng.sample(RELATIONS, rng.randint(1, 2))
    signatory = {"signatory_name": f"{first} {last}", "signatory_function": "Gérant(e)", "place": company.city}
    content.undertaking = {"accepted": True, **signatory}
    content.consent = {"consent": consent, **signatory}
    return content


def file_and_submit(operator: User, company: Company, office_id: int, consent: bool, rng: random.Random):
    application = workflow.create_draft(operator, company)
    workflow.save_draft(operator, application, _content(application, office_id, company, consent, rng))
    workflow.submit(operator, application)
    return application


def ensure_population(operators: int = 50, officers: int = 10, free: int = 10, registrations: int = 200,
                      pending: int = 150, seed: int = 2026) -> dict:
    """Top every count up (inside an app context). Returns what was added."""
    rng = random.Random(seed + int(time.time()))
    started = time.perf_counter()
    offices = busiest_offices()
    officers_by_office = ensure_officers(offices, officers)
    names = operator_names(operators)
    ops = list(db.session.scalars(select(User).where(User.username.in_(names)).order_by(User.username)))
    if len(ops) != operators:
        raise SystemExit(f"only {len(ops)} of the {operators} operator accounts exist: run with --reload")
    op_ids = [u.id for u in ops]
    load_company = Company.eori.like(LOAD_EORI_PREFIX + "%")
    added = {"registrations": 0, "pending": 0, "free": 0}

    have = db.session.scalar(select(func.count()).select_from(Registration).join(Company).where(load_company))
    for i in range(max(0, registrations - have)):
        operator, office = ops[i % len(ops)], offices[i % len(offices)]
        officer = officers_by_office[office][i % len(officers_by_office[office])]
        company = new_companies(operator, 1, rng)[0]
        application = file_and_submit(operator, company, office, rng.random() < 0.8, rng)
        registration = workflow.grant(officer, application)
        if rng.random() < 0.1:
            # The right to be heard first (app/workflow/hearing.py): notified, answered, then revoked.
            hearing.notify_revocation_intent(officer, registration, "conditions_not_met",
                                             "Contrôle a posteriori : conditions non remplies.")
            hearing.present_observations(operator, registration, "Nous contestons.")
            registration_workflow.revoke(officer, registration, None,
                                         "Contrôle a posteriori : conditions non remplies.")
        added["registrations"] += 1
        if added["registrations"] % 50 == 0:
            log(f"    {added['registrations']} registrations granted through the workflow "
                f"({time.perf_counter() - started:.0f} s)")

    have = db.session.scalar(select(func.count()).select_from(Application).join(Company).where(
        load_company, Application.status == S.UNDER_REVIEW, Application.office_id.in_(offices),
        Application.assigned_officer_id.is_(None), Application.created_by_id.in_(op_ids)))
    for i in range(max(0, pending - have)):
        operator, office = ops[i % len(ops)], offices[i % len(offices)]
        company = new_companies(operator, 1, rng)[0]
        file_and_submit(operator, company, office, rng.random() < 0.8, rng)
        added["pending"] += 1
        if added["pending"] % 50 == 0:
            log(f"    {added['pending']} files submitted through the workflow ({time.perf_counter() - started:.0f} s)")

    free_now: dict[int, set[int]] = {uid: set() for uid in op_ids}
    for uid, company in db.session.execute(free_companies_query(op_ids)).all():
        free_now[uid].add(company.id)
    for operator in ops:
        missing = free - len(free_now[operator.id])
        if missing > 0:
            free_now[operator.id].update(c.id for c in new_companies(operator, missing, rng))
            added["free"] += missing
        # Each run uses some companies up: withdraw the certifications of all but the newest used ones (and of free
        # ones beyond `free`), so the number of companies per account (which the filing form lists, one query
        # each) stays the same from run to run: `free` + KEEP_USED.
        kept_used = [c for c in db.session.scalars(
            select(Certification).where(Certification.user_id == operator.id,
                                        Certification.company_id.in_(select(Company.id).where(load_company)))
            .order_by(Certification.company_id.desc()))
            if c.company_id not in free_now[operator.id]]
        surplus = sorted(free_now[operator.id])[:max(0, len(free_now[operator.id]) - free)]
        extra = list(db.session.scalars(select(Certification).where(
            Certification.user_id == operator.id, Certification.company_id.in_(surplus)))) if surplus else []
        for certification in kept_used[KEEP_USED:] + extra:
            db.session.delete(certification)
            added["withdrawn"] = added.get("withdrawn", 0) + 1
    db.session.commit()
    if any(added.values()):
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("application", "company", "certification", "registration", '"user"', "history_event"):
                if conn.scalar(text("SELECT to_regclass(:t)"), {"t": table.strip('"')}) is not None:
                    conn.execute(text(f"ANALYZE {table}"))
    db.session.remove()
    added["seconds"] = round(time.perf_counter() - started, 1)
    return added


def load_config(operators: int, rng: random.Random, public_sample: int = 400) -> dict:
    """What the locust users need: accounts, free companies, files to instruct, numbers to look up."""
    names = operator_names(operators)
    ops = db.session.execute(select(User.id, User.username).where(User.username.in_(names))
                             .order_by(User.username)).all()
    companies: dict[int, list[dict]] = {uid: [] for uid, _ in ops}
    for uid, company in db.session.execute(free_companies_query(list(companies))).all():
        companies[uid].append({k: getattr(company, k) for k in
                               ("id", "eori", "name", "address", "postcode", "city", "phone", "email")})
    officers = db.session.execute(select(User.username, User.office_id)
                                  .where(User.username.like(OFFICER_PREFIX + "%")).order_by(User.username)).all()
    offices = sorted({office for _, office in officers})
    pending_files: dict[int, list[int]] = {o: [] for o in offices}
    for aid, office in db.session.execute(
            select(Application.id, Application.office_id).join(Company).where(
                Company.eori.like(LOAD_EORI_PREFIX + "%"), Application.status == S.UNDER_REVIEW,
                Application.office_id.in_(offices), Application.assigned_officer_id.is_(None))):
        pending_files[office].append(aid)
    for ids in pending_files.values():
        rng.shuffle(ids)
    rex = db.session.execute(select(Registration.number, Registration.status)).all()
    registered_eoris = list(db.session.scalars(select(Company.eori).join(Registration)))
    bulk_eoris = list(db.session.scalars(select(Company.eori).where(~Company.eori.like(LOAD_EORI_PREFIX + "%"))
                                         .order_by(func.random()).limit(public_sample)))
    return {
        "password": PASSWORD,
        "offices": offices,
        "operators": [{"username": name, "companies": companies[uid]} for uid, name in ops],
        "officers": [{"username": name, "office_id": office} for name, office in officers],
        "pending_files": {str(k): v for k, v in pending_files.items()},
        "rex_known": sorted({n for n, s in rex if s in (RegistrationStatus.GRANTED, RegistrationStatus.REVOKED)}),
        "eori_known": rng.sample(registered_eoris, min(len(registered_eoris), public_sample)) + bulk_eoris,
        "goods": GOODS,
        "relations": RELATIONS,
    }
