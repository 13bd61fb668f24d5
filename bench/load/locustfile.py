"""The users of the load benchmark: operators filing REX applications, officers instructing them, and
anonymous clients of the public register. Run by bench/load/run.py (which prepares the data and writes the
JSON named by BENCH_LOAD_CONFIG); on its own it refuses to start.

Requests are named by route template (``/rex/demandes/[id]/formulaire``), so the statistics group per route.
Redirects are never followed implicitly: each hop is a request of its own, named after its route.
At the end of the run the filings and decisions each user saw are written to the config's ``results`` path,
for the database check of run.py.
"""
from __future__ import annotations

import collections
import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

from locust import FastHttpUser, between, events, task

CONFIG_PATH = os.environ.get("BENCH_LOAD_CONFIG")
if not CONFIG_PATH:
    raise SystemExit("bench/load/locustfile.py is run by bench/load/run.py (BENCH_LOAD_CONFIG is not set)")
CONFIG = json.loads(Path(CONFIG_PATH).read_text())
WEIGHTS = CONFIG["weights"]
PASSWORD = CONFIG["password"]

# Shared by every user of this (single) locust process; gevent switches only on I/O, so no lock is needed.
OPERATOR_ACCOUNTS = itertools.cycle(CONFIG["operators"])  # the free companies of an account are shared by its users
OFFICER_ACCOUNTS = itertools.cycle(CONFIG["officers"])
OFFICE_FILES = {int(k): collections.deque(v) for k, v in CONFIG["pending_files"].items()}
FILINGS: list[dict] = []
DECISIONS: list[dict] = []
SAMPLES: list[tuple] = []  # (start time, method, name, ms, failed) of every request
TIMES: dict[str, float] = {}

CSRF = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*\bvalue="([^"]+)"')
VERSION = re.compile(r'<input[^>]*\bname="version"[^>]*\bvalue="(\d+)"')
REFERENCE = re.compile(r"FR-REX-\d{4}-\d{7}")
FLASH_ERROR = re.compile(r'class="[^"]*(?:alert-danger|alert-error|invalid-feedback)[^"]*"[^>]*>([^<]{0,200})')


class FlowError(Exception):
    """A step of a user's flow failed; the request is already marked failed in the statistics."""


def route_name(path: str) -> str:
    """/rex/demandes/123/formulaire?x=1 -> /rex/demandes/[id]/formulaire?x=[x]"""
    parts = urlsplit(path)
    name = re.sub(r"/\d+(?=/|$)", "/[id]", parts.path)
    if parts.query:
        keys = [kv.split("=", 1)[0] for kv in parts.query.split("&")]
        name += "?" + "&".join(f"{k}=[{'n' if k == 'page' else k.split('_')[-1]}]" for k in keys)
    return name


def _problem(response) -> str:
    text = response.text or ""
    found = [m.strip() for m in FLASH_ERROR.findall(text) if m.strip()]
    return f"{response.status_code}: {'; '.join(found[:3]) or text[:160]!r}"


def think(low: float, high: float) -> None:
    time.sleep(random.uniform(low, high))  # gevent-patched: other users run meanwhile


class Browser(FastHttpUser):
    abstract = True

    def get(self, path: str, name: str | None = None, expect=(200,)) -> object:
        with self.client.get(path, name=name or route_name(path), allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code not in expect:
                response.failure(_problem(response))
                raise FlowError(f"GET {path}: {response.status_code}")
            response.success()
        return response

    def post(self, path: str, data: dict, redirect: str, name: str | None = None) -> str:
        """POST a form; the answer must be a redirect to a path matching `redirect`. Returns the path."""
        with self.client.post(path, data=data, name=name or route_name(path), allow_redirects=False,
                              catch_response=True) as response:
            location = urlsplit(response.headers.get("Location") or "").path if response.headers else ""
            if response.status_code not in (302, 303) or not re.fullmatch(redirect, location or ""):
                response.failure(f"expected a redirect to {redirect}, got {_problem(response)} {location}")
                raise FlowError(f"POST {path}: {response.status_code} {location}")
            response.success()
        return location

    def log_in(self, username: str) -> str:
        page = self.get("/connexion")
        token = CSRF.search(page.text).group(1)
        return self.post("/connexion", {"csrf_token": token, "username": username, "password": PASSWORD}, r"/.*")

    def ensure_logged_in(self) -> bool:
        """Log in once (on start, or again at the next task if that failed): fetch the form, post it, land."""
        if not getattr(self, "logged_in", False):
            try:
                self.follow(self.log_in(self.account["username"]))
                self.logged_in = True
            except FlowError:
                self.logged_in = False
        return self.logged_in

    def start_again(self, home: str) -> None:
        """The session ends (« Se déconnecter ») and the person logs in again later: people come and go, so
        logins happen under the full load too, not only while the users arrive."""
        if not self.ensure_logged_in():
            return
        try:
            page = self.get(home)
            self.post("/deconnexion", {"csrf_token": CSRF.search(page.text).group(1)}, r"/connexion")
        except FlowError:
            return
        self.logged_in = False
        think(1, 3)
        self.ensure_logged_in()

    def follow(self, location: str) -> object:
        """Follow redirects hop by hop (each one is a request of the statistics) to the final page."""
        for _ in range(5):
            response = self.get(location, expect=(200, 302))
            if response.status_code == 200:
                return response
            location = urlsplit(response.headers["Location"]).path
        raise FlowError(f"too many redirects at {location}")


# --- operators ------------------------------------------------------------------------------------

class Operator(Browser):
    """Logs in; files REX applications (draft, form, validation, recap, submission, confirmation) for
    the free companies of its account, browses « Mes demandes en cours » and its files, and now and then
    logs out and in again."""

    weight = WEIGHTS["operator"]
    wait_time = between(1, 3)

    def on_start(self):
        self.account = next(OPERATOR_ACCOUNTS)
        self.mine: list[int] = []
        self.ensure_logged_in()  # /connexion, then /rex/ -> /rex/demandes/en-cours

    @task(3)
    def file_application(self):
        if not self.ensure_logged_in():
            return
        companies = self.account["companies"]
        if not companies:
            return self.browse()
        company = companies.pop()
        office_id = random.choice(CONFIG["offices"])
        record = {"operator": self.account["username"], "company_id": company["id"], "office_id": office_id,
                  "id": None, "reference": None, "outcome": "in_progress", "step": "start",
                  "started": time.time()}
        FILINGS.append(record)
        try:
            self._file(record, company, office_id)
        except FlowError as exc:
            record["outcome"], record["error"] = "failed", str(exc)
        except BaseException:  # stopped in the middle (GreenletExit at the end of the stop timeout)
            record["outcome"] = "interrupted"
            raise

    def _file(self, record: dict, company: dict, office_id: int) -> None:
        record["step"] = "deposer"
        page = self.get("/rex/deposer")
        location = self.post("/rex/deposer", {"csrf_token": CSRF.search(page.text).group(1)},
                             r"/rex/demandes/\d+/formulaire")
        application_id = int(location.split("/")[3])
        record["id"] = application_id

        record["step"] = "formulaire"
        page = self.get(location)
        record["draft_reference"] = REFERENCE.search(page.text).group(0)
        think(1, 3)  # typing the form
        location = self.post(location, self._form(page.text, company, office_id),
                             rf"/rex/demandes/{application_id}/recapitulatif")

        record["step"] = "recapitulatif"
        page = self.get(location)
        think(0.5, 1.5)  # reading the recap
        location = self.post(location, {"csrf_token": CSRF.search(page.text).group(1),
                                        "version": VERSION.search(page.text).group(1), "complement": ""},
                             rf"/rex/demandes/{application_id}/confirmation")
        record["outcome"], record["step"] = "submitted_unconfirmed", "confirmation"

        page = self.get(location)
        match = re.search(r'role="status">[^<]*?(FR-REX-\d{4}-\d{7})', page.text)
        if not match:
            raise FlowError(f"no reference on the confirmation page of {application_id}")
        record["reference"], record["outcome"], record["finished"] = match.group(1), "submitted", time.time()
        self.mine.append(application_id)
        OFFICE_FILES[office_id].append(application_id)  # officers of that office may now instruct it

    @staticmethod
    def _form(html: str, company: dict, office_id: int) -> dict:
        first, last = random.choice(("Éloïse", "Marc", "Inès", "Paul")), random.choice(("Darrigrand", "Lefèvre"))
        signatory = f"{first} {last}"
        data = {
            "csrf_token": CSRF.search(html).group(1), "version": VERSION.search(html).group(1), "action": "validate",
            "office_id": office_id, "company_id": company["id"],
            "exporter_address": company["address"], "exporter_postcode": company["postcode"],
            "exporter_city": company["city"], "exporter_country": "FR", "exporter_phone": company["phone"],
            "exporter_email": company["email"], "exporter_fax": "",
            "main_activity": random.choice(("production", "trade")),
            "contacts-0-full_name": signatory, "contacts-0-address": company["address"],
            "contacts-0-postcode": company["postcode"], "contacts-0-city": company["city"],
            "contacts-0-country": "FR", "contacts-0-phone": company["phone"],
            "contacts-0-email": f"{first.lower()}@charge.example", "contacts-0-fax": "",
            "relations": " ".join(random.sample(CONFIG["relations"], random.randint(1, 2))),
            "undertaking_accepted": "y", "undertaking_signatory_name": signatory,
            "undertaking_signatory_function": "Gérant(e)", "undertaking_place": company["city"],
            "consent": random.choice(("yes", "yes", "yes", "no")), "consent_signatory_name": signatory,
            "consent_signatory_function": "Gérant(e)", "consent_place": company["city"],
        }
        for name in ("eori", "name", "address", "postcode", "city", "country", "phone", "email", "fax"):
            data[f"representative_{name}"] = ""
        for i, (heading, description) in enumerate(random.sample(CONFIG["goods"], random.randint(1, 3))):
            data[f"goods-{i}-heading"], data[f"goods-{i}-description"] = heading, description
        return data

    @task(2)
    def browse(self):
        if not self.ensure_logged_in():
            return
        try:
            self._browse()
        except FlowError:
            pass

    def _browse(self):
        self.get("/rex/demandes/en-cours")
        if self.mine:
            think(0.5, 1.5)
            self.get(f"/rex/demandes/{random.choice(self.mine)}")

    @task(1)
    def session_ends(self):
        self.start_again("/rex/demandes/en-cours")


# --- officers -------------------------------------------------------------------------------------

class Officer(Browser):
    """Logs in; pages its queues, filters « Tous les dossiers du service », instructs the files of its
    office under review (opens the instruction page, then grants (70%) or asks for information), and now
    and then logs out and in again."""

    weight = WEIGHTS["officer"]
    wait_time = between(1, 3)

    def on_start(self):
        self.account = next(OFFICER_ACCOUNTS)
        self.ensure_logged_in()  # /connexion, then /admin/ -> /admin/a_traiter/

    def page(self, path: str, name: str | None = None):
        if self.ensure_logged_in():
            try:
                self.get(path, name)
            except FlowError:
                pass

    @task(2)
    def to_instruct(self):
        self.page("/admin/a_traiter/")

    @task(2)
    def to_instruct_page(self):
        self.page(f"/admin/a_traiter/?page={random.randint(1, 40)}")

    @task(1)
    def session_ends(self):
        self.start_again("/admin/a_traiter/")

    @task(1)
    def unassigned(self):
        self.page(f"/admin/a_traiter/?flt0_{CONFIG['filters']['unassigned']}=1",
                  "/admin/a_traiter/?non_affecte=1")

    @task(2)
    def all_files_filtered(self):
        status = random.choice(("rejected", "granted", "incomplete"))
        self.page(f"/admin/tous/?flt0_{CONFIG['filters']['status']}={status}&page={random.randint(0, 20)}",
                  "/admin/tous/?statut=[s]&page=[n]")

    @task(3)
    def instruct(self):
        if not self.ensure_logged_in():
            return
        files = OFFICE_FILES[self.account["office_id"]]
        if not files:
            return self.to_instruct()
        application_id = files.popleft()
        grant = random.random() < 0.7
        decision = {"officer": self.account["username"], "id": application_id,
                    "action": "grant" if grant else "request_information", "outcome": "in_progress"}
        DECISIONS.append(decision)
        try:
            page = self.get(f"/admin/dossier/{application_id}")
            think(1, 2)  # reading the file
            data = {"csrf_token": CSRF.search(page.text).group(1), "version": VERSION.search(page.text).group(1)}
            if grant:
                location = self.post(f"/admin/dossier/{application_id}/octroyer", data,
                                     rf"/admin/dossier/{application_id}")
            else:
                data["message"] = "Bonjour, merci de préciser la description des marchandises."
                location = self.post(f"/admin/dossier/{application_id}/demander-informations", data,
                                     rf"/admin/dossier/{application_id}")
            decision["outcome"] = "done"
            self.get(location)
        except FlowError as exc:
            decision["outcome"], decision["error"] = "failed", str(exc)
        except BaseException:
            decision["outcome"] = "interrupted"
            raise


# --- the public register ---------------------------------------------------------------------------

def _unknown_eori() -> str:
    return f"FR8{random.randrange(10**13):013d}"


class PublicClient(FastHttpUser):
    """Software and people checking numbers: the JSON API for REX and EORI numbers, known and unknown,
    and the register's page."""

    weight = WEIGHTS["public"]
    wait_time = between(0.5, 1.5)

    def lookup(self, path: str, name: str, expect: int, status: str | None = None):
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != expect:
                response.failure(_problem(response))
            elif status and response.json().get("status") not in status.split("|"):
                response.failure(f"status {response.json().get('status')!r}, expected {status}")
            else:
                response.success()

    @task(4)
    def rex_known(self):
        self.lookup(f"/api/public/rex/{random.choice(CONFIG['rex_known'])}", "/api/public/rex/[number]", 200,
                    "valid|revoked")

    @task(1)
    def rex_unknown(self):
        self.lookup(f"/api/public/rex/FRREX{_unknown_eori()}", "/api/public/rex/[number]", 404, "unknown")

    @task(3)
    def eori_known(self):
        self.lookup(f"/api/public/eori/{random.choice(CONFIG['eori_known'])}", "/api/public/eori/[number]", 200,
                    "valid")

    @task(1)
    def eori_unknown(self):
        self.lookup(f"/api/public/eori/{_unknown_eori()}", "/api/public/eori/[number]", 404, "unknown")

    @task(2)
    def register_page(self):
        number = random.choice((random.choice(CONFIG["rex_known"]), random.choice(CONFIG["eori_known"]),
                                _unknown_eori()))
        self.lookup(f"/registre?number={number}", "/registre?number=[number]", 200)


@events.request.add_listener
def record_request(request_type, name, response_time, exception, start_time=None, **kwargs):
    SAMPLES.append((round(start_time or time.time(), 3), request_type, name, round(response_time, 1),
                    exception is not None))


@events.test_start.add_listener
def started(environment, **kwargs):
    TIMES["test_start"] = time.time()


@events.spawning_complete.add_listener
def spawned(user_count, **kwargs):
    TIMES["spawning_complete"] = time.time()


@events.test_stop.add_listener
def write_results(environment, **kwargs):
    TIMES["test_stop"] = time.time()
    Path(CONFIG["results"]).write_text(json.dumps({"filings": FILINGS, "decisions": DECISIONS, "times": TIMES,
                                                   "samples": SAMPLES}))
