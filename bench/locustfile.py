"""A morning in Stabil for locust: social workers open their caseload and answer the survey, unit managers
look at their dashboard and the allocation board, HR pulls the tertial report.

Run through bench/load.py (it starts the stack, generates the data and writes the plan this file reads from
LOCUST_PLAN); by hand:

    LOCUST_PLAN=var/bench/plan.json .venv/bin/locust -f bench/locustfile.py --headless -u 20 -r 5 \\
        --run-time 60s --host http://127.0.0.1:8790
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ.get("LOCUST_PLAN", "var/bench/plan.json")).read())  # noqa: SIM115, PTH123
PASSWORD = "stabil-demo"
_people = {
    "worker": itertools.cycle([(o, w) for o in PLAN["organisations"] for w in o["workers"]]),
    "manager": itertools.cycle([(o, m) for o in PLAN["organisations"] for m in o["managers"]]),
    "hr": itertools.cycle([(o, o["hr"]) for o in PLAN["organisations"]]),
}


def _last_tertial() -> str:
    today = datetime.date.today()
    number = (today.month - 1) // 4 + 1
    year, number = (today.year - 1, 3) if number == 1 else (today.year, number - 1)
    return f"{year}-T{number}"


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    kind = ""

    def on_start(self) -> None:
        self.org, who = next(_people[self.kind])
        self.username, self.unit = (who[0], who[1]) if isinstance(who, list) else (who, None)
        session = PLAN.get("sessions", {}).get(self.username)
        if session:  # already signed in this morning (bench/stack.py signed_in); sign-ins are measured apart
            self.client.cookies.set("sessionid", session)
            return
        self.client.get("/accounts/login/", name="login page")
        response = self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            allow_redirects=False,
            name="login",
        )
        if response.status_code != 302:
            response.failure(f"login as {self.username}: {response.status_code}")


class SocialWorker(Person):
    weight = 6
    kind = "worker"

    @task(6)
    def my_caseload(self) -> None:
        self.client.get("/caseload/mine/", name="my caseload")

    @task(2)
    def my_survey(self) -> None:
        self.client.get("/surveys/", name="my survey")

    @task(1)
    def answer_survey(self) -> None:
        path = f"/surveys/rounds/{self.org['open_round']}/answer/"
        self.client.get(path, name="survey answer form")
        scores = {q: random.randint(1, 5) for q in ("q1", "q2", "q3")}  # noqa: S311
        data = {**scores, "m1": "", "m2": "", "m3": "", "csrfmiddlewaretoken": self.client.cookies.get("csrftoken")}
        with self.client.post(
            path,
            data=data,
            allow_redirects=False,
            name="survey answer",
            headers={"Referer": self.host + path},
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"answer not saved: {response.status_code}")


class UnitManager(Person):
    weight = 2
    kind = "manager"

    @task(3)
    def dashboard(self) -> None:
        self.client.get(f"/caseload/units/{self.unit}/", name="unit dashboard")

    @task(2)
    def board(self) -> None:
        self.client.get(f"/caseload/units/{self.unit}/board/", name="allocation board")


class HR(Person):
    """HR pulls a report and reads it: 10-30 s between requests, not the 1-3 s of a caseload glance."""

    weight = 1
    kind = "hr"
    wait_time = between(10, 30)

    @task(1)
    def tertial_report(self) -> None:
        self.client.get(f"/api/v1/reports/tertial/{_last_tertial()}/", name="tertial report (API)")

    @task(1)
    def tertials(self) -> None:
        self.client.get("/api/v1/tertials/", name="tertials (API)")
