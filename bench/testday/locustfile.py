"""Locust users for the test-day benchmark; bench/testday/run.py starts Locust on this file, once per phase.

TESTDAY_CONFIG names a JSON file written by run.py: the phase (`steps`, `baseline` or `saves`), the
accounts, the step sizes and windows, the time scale, the seed, gunicorn's master pid and where to write
the results. Requests are recorded per window (a step's ramp, then its steady part) with the server's
CPU time at each window's edges, and every acknowledged save with its seq, for the exactly-once check.
"""

import itertools
import json
import os
import random
import re
import time
from collections import defaultdict
from pathlib import Path

import gevent
from locust import FastHttpUser, LoadTestShape, constant, events, task

from bench.testday.pacing import (
    BREAK_THINK,
    CHANGE_ANSWER,
    DOUBLE_SEND,
    FLAG,
    PACE,
    REVIEW_THINK,
    TEACHER_REFRESH,
)

CONFIG = json.loads(Path(os.environ["TESTDAY_CONFIG"]).read_text())
PHASE = CONFIG["phase"]
SCALE = CONFIG["time_scale"]
SPR_ANSWERS = ("12", "3/4", "-2", "0.5", "7", "41")

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUESTION = re.compile(r"^/full-test/(\d+)/(rw1|rw2|math1|math2)/(\d+)/$")
TEST = re.compile(r"^/full-test/\d+/$")  # resume: redirects to where the test is now
STARTED = re.compile(f"{QUESTION.pattern}|{TEST.pattern}")
COUNT = re.compile(r'data-count="(\d+)"')
SPR = re.compile(r"\bdata-spr\b")
SECONDS_LEFT = re.compile(r'data-seconds-left="(\d+)"')
OPTIONS = re.compile(r'name="given" id="option-([A-D])"')

# --- What the run records -------------------------------------------------------------------------------

windows: list[dict] = []  # {"name", "step", "users", "started", "cpu_start", "ended", "cpu_end"}
times: dict = defaultdict(lambda: defaultdict(list))  # window -> route -> [ms]
errors: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))  # window -> route -> kind -> n
acked: dict = {}  # "learner|attempt|phase|position" -> [seq, given, flagged]
sent: dict = defaultdict(list)  # same key -> [[seq, given, flagged], ...] posted but not yet acknowledged
ready = {"n": 0}  # learners who have logged in and started their test
late = {
    "saves": 0,
    "reviews": 0,
    "submits": 0,
}  # saves refused (409) because the module's time was up: the app's rule, not an error
_learner_numbers = itertools.count()
_teacher_numbers = itertools.count()


def cpu_seconds() -> float:
    """User + system CPU seconds of gunicorn's workers so far (children of the master, from /proc)."""
    master, total, ticks = str(CONFIG["gunicorn_pid"]), 0, os.sysconf("SC_CLK_TCK")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == master:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def window_open(name: str, step: int | None = None, users: int = 0) -> None:
    now, cpu = time.time(), cpu_seconds()
    if windows and windows[-1]["ended"] is None:
        windows[-1].update(ended=now, cpu_end=cpu)
    windows.append(
        {"name": name, "step": step, "users": users, "started": now, "cpu_start": cpu, "ended": None}
    )


def window_close() -> None:
    if windows and windows[-1]["ended"] is None:
        windows[-1].update(ended=time.time(), cpu_end=cpu_seconds())


@events.request.add_listener
def _record(name, response_time, exception, **_kwargs):
    window = windows[-1]["name"] if windows and windows[-1]["ended"] is None else "outside"
    times[window][name].append(response_time)
    if exception is not None:
        errors[window][name][str(exception)[:120]] += 1


@events.quitting.add_listener
def _write(**_kwargs):
    window_close()
    Path(CONFIG["out"]).write_text(
        json.dumps(
            {"windows": windows, "times": times, "errors": errors, "acked": acked, "sent": sent, "late": late}
        )
    )


# --- Users -------------------------------------------------------------------------------------------


class Browser(FastHttpUser):
    """A browser: its cookies, the CSRF token of the last page, and its own seeded random draws."""

    abstract = True
    wait_time = constant(0)
    number = 0

    def on_start(self):
        self.rng = random.Random(CONFIG["seed"] * 1_000_003 + self.number)
        self.csrf = ""
        self.last_seq = 0

    def call(self, route: str, method: str, path: str, ok=(200,), to=None, **kwargs):
        """One request, not following redirects; a status outside `ok`, or a redirect whose path does not
        match `to`, is an error. Returns the response."""
        with self.client.request(
            method, path, name=route, allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            where = self.location(response)
            if response.status_code not in ok:
                response.failure(f"HTTP {response.status_code}")
            elif to is not None and not to.match(where):
                response.failure(f"redirected to {where}")
            else:
                response.success()
                if method == "GET" and response.text:
                    match = CSRF.search(response.text)
                    self.csrf = match.group(1) if match else self.csrf
        return response

    def location(self, response) -> str:
        return (response.headers.get("Location") or "").split("?", 1)[0]

    def post(self, route: str, path: str, form: dict | None = None, ok=(302,), to=None):
        return self.call(
            route,
            "POST",
            path,
            ok=ok,
            to=to,
            data={**(form or {}), "csrfmiddlewaretoken": self.csrf},
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    def login(self, username: str, next_path: str) -> bool:
        self.call("login-page", "GET", "/accounts/login/")
        response = self.post(
            "login",
            "/accounts/login/",
            {"username": username, "password": CONFIG["password"], "next": next_path},
        )
        return response.status_code == 302

    def think(self, seconds: float) -> None:
        gevent.sleep(seconds)


class TestTaker(Browser):
    """A learner in the full test: starts or resumes it, saves as the page's script does."""

    abstract = True

    def begin(self) -> None:
        """The assigned test from the dashboard the first time; later ones (and resumes) from /full-test/."""
        progress = CONFIG.get("progress", {}).get(self.username)
        if progress and not getattr(self, "assigned_started", False):
            self.call("dashboard", "GET", "/dashboard/")
            self.at = self.location(self.post("start", f"/assignments/{progress}/start/", to=STARTED))
            self.assigned_started = bool(self.at)
            return
        self.call("test-list", "GET", "/full-test/")
        self.at = self.location(self.post("start", "/full-test/start/"))

    def save(self, attempt: int, phase: str, position: int, given: str) -> int:
        """POST the item's state as the page's script does; record what the server acknowledged."""
        seq = max(int(time.time() * 1000), self.last_seq + 1)
        self.last_seq = seq
        flagged = self.rng.random() < FLAG
        key = f"{self.username}|{attempt}|{phase}|{position}"
        state = [seq, given, flagged]
        body = json.dumps({"given": given, "flagged": flagged, "eliminated": "", "seq": seq})
        for _ in range(2 if self.rng.random() < DOUBLE_SEND else 1):
            sent[key].append(state)
            response = self.call(
                "save",
                "POST",
                f"/full-test/{attempt}/{phase}/{position}/save/",
                ok=(200, 409),
                data=body,
                headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf},
            )
            if response.status_code == 409:
                late["saves"] += 1
                break
            if response.status_code == 200 and (key not in acked or acked[key][0] <= seq):
                acked[key] = state
                sent[key] = [s for s in sent[key] if s[0] > seq]
        return response.status_code


class Learner(TestTaker):
    """A learner on test day: log in, start (or resume) the test, and sit it question by question."""

    def on_start(self):
        self.number = next(_learner_numbers)
        super().on_start()
        pool = CONFIG["learners"]
        self.username = pool[self.number % len(pool)]
        self.at = ""
        if self.login(self.username, "/full-test/"):
            self.begin()
            ready["n"] += bool(self.at)

    @task
    def next_page(self):
        if not self.at:  # the login or the start failed: try again after a pause, as a person would
            self.think(5 / SCALE)
            if self.login(self.username, "/full-test/"):
                self.begin()
                ready["n"] += bool(self.at)
            return
        match = QUESTION.match(self.at)
        if match:
            self.module(int(match.group(1)), match.group(2))
        elif TEST.match(self.at):
            self.at = self.location(self.call("resume", "GET", self.at, ok=(302,)))
        elif self.at.endswith("/break/"):
            self.call("break", "GET", self.at)
            self.think(self.rng.uniform(0.5, 1.5) * BREAK_THINK / SCALE)
            self.at = self.location(self.post("break-end", self.at + "end/"))
        elif self.at.endswith("/report/"):
            self.call("report", "GET", self.at)
            self.think(self.rng.uniform(0.5, 1.5) * BREAK_THINK / SCALE)
            self.begin()  # the next test: the school keeps as many learners sitting one
        else:
            self.call("resume", "GET", "/full-test/")
            self.begin()

    def module(self, attempt: int, phase: str) -> None:
        """Every question of the module in order, then the review page and submit."""
        pace = PACE["math" if phase.startswith("math") else "rw"] / SCALE
        position, count = 1, None
        while count is None or position <= count:
            path = f"/full-test/{attempt}/{phase}/{position}/"
            page = self.call("question", "GET", path, ok=(200, 302))
            if page.status_code != 200:  # the module has ended (time up): go where the test is now
                self.at = self.location(page) or "/full-test/"
                return
            count = count or int(COUNT.search(page.text).group(1))
            left = SECONDS_LEFT.search(page.text)
            # A learner watches the clock: what is left, less time to check their work, spread over the
            # questions to go. Only the real pacing (time scale about 1) comes near the module's time.
            budget = (int(left.group(1)) if left else 1e9) - REVIEW_THINK / SCALE - 15
            options = OPTIONS.findall(page.text)
            spr = bool(SPR.search(page.text))
            think = self.rng.gammavariate(4.0, pace / 4.0)  # mean `pace`, most between half and double
            think = min(think, max(0.5, budget / (count - position + 1)))
            change = self.rng.random() < CHANGE_ANSWER
            self.think(think * (0.6 if change else 1.0))
            choices = SPR_ANSWERS if spr else tuple(options or "ABCD")
            if self.save(attempt, phase, position, self.rng.choice(choices)) == 409:
                self.at = "/full-test/"
                return
            if change:
                self.think(think * 0.4)
                self.save(attempt, phase, position, self.rng.choice(choices))
            position += 1
        # The module's time can run out meanwhile (the review page then redirects, a submit is refused
        # with 409): the app's rule, counted as late, not as an error; the learner goes where the test is.
        review = self.call("review", "GET", f"/full-test/{attempt}/{phase}/review/", ok=(200, 302))
        if review.status_code == 302:
            late["reviews"] += 1
            self.at = self.location(review) or "/full-test/"
            return
        self.think(self.rng.uniform(0.5, 1.5) * REVIEW_THINK / SCALE)
        submit = self.post("submit", f"/full-test/{attempt}/{phase}/submit/", ok=(302, 409))
        if submit.status_code == 409:
            late["submits"] += 1
            self.at = "/full-test/"
            return
        self.at = self.location(submit)


class Teacher(Browser):
    """A teacher with the class overview open, refreshing it now and then."""

    fixed_count = CONFIG.get("teachers_count", 0)

    def on_start(self):
        self.number = 1_000_000 + next(_teacher_numbers)
        super().on_start()
        username, self.classroom = CONFIG["teachers"][(self.number - 1_000_000) % len(CONFIG["teachers"])]
        self.login(username, "/teach/")
        self.think(self.rng.uniform(0, TEACHER_REFRESH / SCALE))

    @task
    def refresh(self):
        self.call("teacher", "GET", f"/teach/classes/{self.classroom}/")
        self.think(self.rng.uniform(0.5, 1.5) * TEACHER_REFRESH / SCALE)


class Bare(Browser):
    """The baseline: bare Django (/health/live: the middleware stack, no database, no template)."""

    @task
    def live(self):
        self.call("bare-django", "GET", "/health/live")


class Saver(TestTaker):
    """The answer-save alone: a learner in Reading and Writing module 1 saving with no think time."""

    def on_start(self):
        self.number = 2_000_000 + next(_learner_numbers)
        super().on_start()
        self.username = CONFIG["savers"][next(_learner_numbers) % len(CONFIG["savers"])]
        self.login(self.username, "/full-test/")
        self.begin()
        match = QUESTION.match(self.at)
        self.attempt, self.phase = int(match.group(1)), match.group(2)
        page = self.call("question", "GET", self.at)
        self.count = int(COUNT.search(page.text).group(1))
        ready["n"] += 1

    @task
    def next_page(self):
        self.save(self.attempt, self.phase, self.rng.randint(1, self.count), self.rng.choice("ABCD"))


ACTIVE = {"steps": (Learner, Teacher), "baseline": (Bare,), "saves": (Saver,)}[PHASE]
for _user in (Learner, Teacher, Bare, Saver):
    _user.abstract = _user not in ACTIVE
del _user  # Locust runs every User class the module names


class Schedule(LoadTestShape):
    """`steps`: for each step, a ramp window and then a steady window, whose figures decide the step. The
    ramp lasts at least --ramp-seconds (the new learners are spawned over 80% of it) and until every
    learner of the step has logged in and started, so that the steady window holds no backlog of logins
    (up to RAMP_LIMIT times --ramp-seconds). `baseline` and `saves`: a warm-up until every client is
    ready (and at least warmup_seconds), then one measured window."""

    RAMP_LIMIT = 10

    def __init__(self):
        super().__init__()
        self.step, self.phase_started = 0, 0.0

    def tick(self):
        now = self.get_run_time()
        if PHASE != "steps":
            users = CONFIG["clients"]
            if (
                not windows
                and now >= CONFIG["warmup_seconds"]
                and (PHASE == "baseline" or ready["n"] >= users)
            ):
                window_open(PHASE)
                self.phase_started = now
            if windows and now >= self.phase_started + CONFIG["measure_seconds"]:
                window_close()
                return None
            return users, users if PHASE == "baseline" else max(
                1, users / max(CONFIG["warmup_seconds"] / 2, 1)
            )
        ramp, steady, steps = CONFIG["ramp_seconds"], CONFIG["step_seconds"], CONFIG["steps"]
        users = steps[self.step]
        in_phase = now - self.phase_started
        if not windows:
            window_open(f"step{self.step}-ramp", self.step, users)
        elif windows[-1]["name"].endswith("ramp"):
            if in_phase >= ramp and (ready["n"] >= users or in_phase >= ramp * self.RAMP_LIMIT):
                windows[-1]["ready"] = ready["n"]
                window_open(f"step{self.step}-steady", self.step, users)
                self.phase_started = now
        elif in_phase >= steady:
            self.step += 1
            if self.step >= len(steps):
                window_close()
                return None
            users = steps[self.step]
            window_open(f"step{self.step}-ramp", self.step, users)
            self.phase_started = now
        before = steps[self.step - 1] if self.step else 0
        rate = max(1.0, (users - before) / max(ramp * 0.8, 1))
        return users + CONFIG["teachers_count"], rate
