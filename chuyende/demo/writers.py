"""Concurrent writers against a running server, through the REST API (`manage.py load_writers`).

Each client is a thread with the same user's token that, until the time is up, picks one of:

- **event**: records a study event with a bridge point (POST /events/);
- **attendees**: lists members at the bridge point of one of its own events (PUT .../attendees/);
- **own return**: rewrites the member return of its own unit and day with the next count
  (POST /member-returns/ replaces a return of the same campaign, unit and day);
- **shared return**: the same, on one unit and day every client writes (a unique-constraint race);
- **report**: saves one shared draft report with the version it just read (PATCH /reports/<id>/):
  saved (200) or refused because another client saved first (409, expected).

Afterwards every acknowledged write is read back. A **lost update** is an acknowledged write whose
effect is not there: an event missing or different, an attendee list other than the last one put, a
return not holding the last count its client wrote (or, for the shared return, a count nobody wrote),
or a report whose version is not its first version plus the saves acknowledged, or whose text is not
the one of the save that made that version.

Only loopback addresses are accepted: this is a load generator, never to be pointed at another machine.
"""

import datetime
import ipaddress
import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlparse

MAX_CLIENTS = 50
MAX_SECONDS = 600
REQUEST_TIMEOUT = 60
OPERATIONS = ("event", "attendees", "own_return", "shared_return", "report")
WEIGHTS = (30, 15, 20, 15, 20)


class LoadError(Exception):
    """The run cannot start: a refused address, bad bounds, a login or setup refused."""


def check_loopback(url: str) -> str:
    """The base URL without a trailing slash, if it names this machine; LoadError otherwise."""
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise LoadError(f"{url!r} is not an http:// address.")
    host = parsed.hostname
    if host != "localhost":
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise LoadError(f"{host} is not a loopback address: load_writers only runs against this machine.")
    return url.rstrip("/")


@dataclass
class Answer:
    status: int  # 0: no answer (connection refused, reset, timed out)
    body: Any


class Api:
    """A JSON client of /api/v1/ with a token (standard library only: one connection per request)."""

    def __init__(self, base: str, token: str = "") -> None:
        self.base = base
        self.token = token

    def call(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Answer:
        url = f"{self.base}/api/v1/{path.lstrip('/')}"
        if query:
            url += "?" + urlencode(query)
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
                return Answer(response.status, _json(response.read()))
        except urllib.error.HTTPError as error:
            return Answer(error.code, _json(error.read()))
        except (urllib.error.URLError, OSError):
            return Answer(0, None)

    def all_pages(self, path: str, query: dict[str, Any]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = self.call("GET", path, query={**query, "page": page, "page_size": 500})
            if answer.status != 200:
                raise LoadError(f"GET {path} answered {answer.status}: {answer.body}")
            rows += answer.body["results"]
            if not answer.body.get("next"):
                return rows
            page += 1


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw[:200].decode(errors="replace")


@dataclass(frozen=True)
class Setup:
    """What the clients write to, found (or made) through the API before the run."""

    run: str
    campaign: int
    days: list[str]  # days inside the campaign, one per client for its own return
    shared_day: str  # the day of the return every client writes (none of the days above)
    organiser: int
    site_unit: int
    site_members: list[int]
    return_units: list[int]  # units without sub-units that report counts
    report: int
    report_version: int  # the draft's version when made


@dataclass
class Tally:
    """Everything one client saw and wrote (merged at the end)."""

    answers: Counter[tuple[str, str]] = field(default_factory=Counter)  # (operation, outcome)
    events: dict[int, tuple[str, int]] = field(default_factory=dict)  # id -> (title, other members)
    attendees: dict[int, list[int]] = field(default_factory=dict)  # event id -> last list put
    own_returns: dict[tuple[int, str], int] = field(default_factory=dict)  # (unit, day) -> last count
    shared_counts: set[int] = field(default_factory=set)
    report_saves: dict[int, str] = field(default_factory=dict)  # version made -> text saved
    examples: dict[str, str] = field(default_factory=dict)  # first error seen per outcome

    def count(self, operation: str, answer: Answer, ok: tuple[int, ...]) -> str:
        outcome = _outcome(answer.status, ok)
        self.answers[(operation, outcome)] += 1
        if outcome in {"server_error", "client_error", "no_answer"}:
            self.examples.setdefault(f"{operation} {outcome}", f"{answer.status} {str(answer.body)[:300]}")
        return outcome


def _outcome(status: int, ok: tuple[int, ...]) -> str:
    if status in ok:
        return "written"
    if status == 409:
        return "conflict"
    if status == 0:
        return "no_answer"
    return "server_error" if status >= 500 else "client_error"


def login(base: str, username: str, password: str) -> Api:
    answer = Api(base).call("POST", "token/", {"username": username, "password": password})
    if answer.status != 200:
        raise LoadError(f"The token endpoint refused {username!r} ({answer.status}): {answer.body}")
    return Api(base, answer.body["token"])


def prepare(api: Api, *, clients: int, campaign_code: str = "") -> Setup:
    """Finds the campaign, units and members of the user's subtree and makes the shared draft."""
    campaigns = api.all_pages("campaigns/", {})
    if campaign_code:
        campaigns = [c for c in campaigns if c["code"] == campaign_code]
    if not campaigns:
        raise LoadError("No campaign to write to in this user's subtree.")
    campaign = campaigns[0]
    units = api.all_pages("units/", {})
    root = min(units, key=lambda u: u["depth"])
    parents = {u["parent"] for u in units}
    return_units = [u["id"] for u in units if u["tracking"] == "aggregate" and u["id"] not in parents]
    members = api.all_pages("members/", {})
    if not members:
        raise LoadError("No party member in this user's subtree to list at the events.")
    site_unit = members[0]["unit"]
    site_members = [m["id"] for m in members if m["unit"] == site_unit][:20]
    starts = datetime.date.fromisoformat(campaign["starts"])
    ends = datetime.date.fromisoformat(campaign["ends"])
    span = max((ends - starts).days, 1)
    days = [(starts + datetime.timedelta(days=1 + i % span)).isoformat() for i in range(clients)]
    run = datetime.datetime.now().strftime("%H%M%S")
    draft = api.call("POST", "reports/", {
        "campaign": campaign["id"], "unit": root["id"], "as_of": campaign["study_deadline"],
        "summary": f"Tải thử {run}",
    })
    if draft.status != 201:
        raise LoadError(f"The shared draft report was refused ({draft.status}): {draft.body}")
    return Setup(run=run, campaign=campaign["id"], days=days, shared_day=starts.isoformat(),
                 organiser=root["id"], site_unit=site_unit, site_members=site_members,
                 return_units=return_units, report=draft.body["id"], report_version=draft.body["version"])


class Writer(threading.Thread):
    def __init__(self, api: Api, setup: Setup, number: int, deadline: float) -> None:
        super().__init__(name=f"writer-{number}", daemon=True)
        self.api, self.setup, self.number, self.deadline = api, setup, number, deadline
        self.tally = Tally()
        self.random = random.Random(number)
        self.sequence = 0

    def run(self) -> None:
        operations = [op for op in OPERATIONS if op not in {"own_return", "shared_return"}
                      or self.setup.return_units]
        weights = [w for op, w in zip(OPERATIONS, WEIGHTS, strict=True) if op in operations]
        while time.monotonic() < self.deadline:
            self.sequence += 1
            getattr(self, self.random.choices(operations, weights)[0])()

    def event(self) -> None:
        title = f"Tải thử {self.setup.run} – máy {self.number} – {self.sequence}"
        others = self.sequence % 7
        answer = self.api.call("POST", "events/", {
            "campaign": self.setup.campaign, "organiser": self.setup.organiser, "held_on": self.setup.days[0],
            "format": "in_person", "title": title,
            "sites": [{"unit": self.setup.site_unit, "other_members": others, "non_members": 1}],
        })
        if self.tally.count("event", answer, (201,)) == "written":
            self.tally.events[answer.body["id"]] = (title, others)

    def attendees(self) -> None:
        if not self.tally.events or not self.setup.site_members:
            return self.event()
        event = self.random.choice(list(self.tally.events))
        chosen = sorted(self.random.sample(self.setup.site_members,
                                           self.random.randint(1, len(self.setup.site_members))))
        answer = self.api.call("PUT", f"events/{event}/sites/{self.setup.site_unit}/attendees/",
                               {"members": chosen})
        if self.tally.count("attendees", answer, (200,)) == "written":
            self.tally.attendees[event] = chosen
        return None

    def _return(self, operation: str, unit: int, day: str) -> Answer:
        studied = self.sequence % 90
        answer = self.api.call("POST", "member-returns/", {
            "campaign": self.setup.campaign, "unit": unit, "as_of": day,
            "members_total": 100, "exempt": 5, "away": 5, "studied": studied,
        })
        self.tally.count(operation, answer, (200, 201))
        return answer

    def own_return(self) -> None:
        unit = self.setup.return_units[self.number % len(self.setup.return_units)]
        day = self.setup.days[self.number]
        if self._return("own_return", unit, day).status in (200, 201):
            self.tally.own_returns[(unit, day)] = self.sequence % 90

    def shared_return(self) -> None:
        answer = self._return("shared_return", self.setup.return_units[0], self.setup.shared_day)
        if answer.status in (200, 201):
            self.tally.shared_counts.add(self.sequence % 90)

    def report(self) -> None:
        read = self.api.call("GET", f"reports/{self.setup.report}/")
        if read.status != 200:
            self.tally.count("report", read, (200,))
            return
        text = f"Máy {self.number} lưu lần {self.sequence}."
        answer = self.api.call("PATCH", f"reports/{self.setup.report}/",
                               {"version": read.body["version"], "tasks": text})
        if self.tally.count("report", answer, (200,)) == "written":
            self.tally.report_saves[answer.body["version"]] = text


@dataclass
class Result:
    seconds: float
    clients: int
    answers: Counter[tuple[str, str]]
    lost: list[str]
    examples: dict[str, str]

    def total(self, outcome: str) -> int:
        return sum(n for (_op, out), n in self.answers.items() if out == outcome)

    @property
    def server_errors(self) -> int:
        return self.total("server_error") + self.total("no_answer")

    def lines(self) -> list[str]:
        lines = [f"{self.clients} clients for {self.seconds:.1f} s"]
        for operation in OPERATIONS:
            counts = {out: n for (op, out), n in self.answers.items() if op == operation}
            if counts:
                lines.append(f"  {operation:14} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        lines += [
            f"writes: {self.total('written')}",
            f"conflicts (409): {self.total('conflict')}",
            f"client errors (4xx): {self.total('client_error')}",
            f"server errors (5xx or no answer): {self.server_errors}",
            f"lost updates: {len(self.lost)}",
            f"writes per second: {self.total('written') / max(self.seconds, 0.001):.1f}",
        ]
        lines += [f"  lost: {item}" for item in self.lost[:20]]
        lines += [f"  first {kind}: {text}" for kind, text in sorted(self.examples.items())]
        return lines


def verify(api: Api, setup: Setup, tally: Tally) -> list[str]:
    """Every acknowledged write read back; the descriptions of those missing or changed."""
    lost: list[str] = []
    stored = {e["id"]: e for e in api.all_pages("events/", {"campaign": setup.campaign})}
    for event_id, (title, others) in tally.events.items():
        event = stored.get(event_id)
        sites = {s["unit"]: s for s in event["sites"]} if event else {}
        counted = sites.get(setup.site_unit, {}).get("other_members")
        if event is None or event["title"] != title or counted != others:
            lost.append(f"event {event_id} ({title})")
    for event_id, members in tally.attendees.items():
        answer = api.call("GET", f"events/{event_id}/sites/{setup.site_unit}/attendees/")
        listed = sorted(m["id"] for m in (answer.body or [])) if answer.status == 200 else None
        if listed != members:
            lost.append(f"attendees of event {event_id}: {members} put, {listed} stored")
    returns = {(r["unit"], r["as_of"]): r["studied"]
               for r in api.all_pages("member-returns/", {"campaign": setup.campaign})}
    for key, studied in tally.own_returns.items():
        if returns.get(key) != studied:
            lost.append(f"member return {key}: {studied} written last, {returns.get(key)} stored")
    if tally.shared_counts:
        shared = returns.get((setup.return_units[0], setup.shared_day))
        if shared not in tally.shared_counts:
            lost.append(f"shared member return: {shared} stored, not one of {sorted(tally.shared_counts)}")
    lost += _report_lost(api, setup, tally)
    return lost


def _report_lost(api: Api, setup: Setup, tally: Tally) -> list[str]:
    report = api.call("GET", f"reports/{setup.report}/").body
    expected = setup.report_version + len(tally.report_saves)
    if report["version"] != expected:
        return [f"report: version {report['version']}, {len(tally.report_saves)} saves acknowledged"]
    if tally.report_saves and report["tasks"] != tally.report_saves[report["version"]]:
        return [f"report: text {report['tasks']!r}, last save acknowledged {tally.report_saves[expected]!r}"]
    return []


def run_load(*, url: str, username: str, password: str, clients: int, seconds: float,
             campaign_code: str = "") -> Result:
    base = check_loopback(url)
    if not 1 <= clients <= MAX_CLIENTS:
        raise LoadError(f"--clients must be between 1 and {MAX_CLIENTS}.")
    if not 0 < seconds <= MAX_SECONDS:
        raise LoadError(f"--seconds must be more than 0 and at most {MAX_SECONDS}.")
    api = login(base, username, password)
    setup = prepare(api, clients=clients, campaign_code=campaign_code)
    started = time.monotonic()
    writers = [Writer(api, setup, number, started + seconds) for number in range(clients)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    elapsed = time.monotonic() - started
    merged = Tally()
    for writer in writers:
        merged.answers.update(writer.tally.answers)
        merged.events.update(writer.tally.events)
        merged.attendees.update(writer.tally.attendees)
        merged.own_returns.update(writer.tally.own_returns)
        merged.shared_counts |= writer.tally.shared_counts
        merged.report_saves.update(writer.tally.report_saves)
        for kind, text in writer.tally.examples.items():
            merged.examples.setdefault(kind, text)
    return Result(seconds=elapsed, clients=clients, answers=merged.answers,
                  lost=verify(api, setup, merged), examples=merged.examples)
