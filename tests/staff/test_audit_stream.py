"""The access log and the security events as JSON lines (staff.platform.audit.stream): one line per row, after
commit only, in the documented schema; the STABIL_AUDIT_STREAM setting wired to a file and to syslog."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import Client
from django.urls import reverse

from staff.platform.audit import stream
from staff.platform.audit.middleware import security_event_write
from staff.platform.audit.models import AccessLogEntry, SecurityEvent
from staff.platform.audit.services import emailed_reads
from tests.caseload.factories import case
from tests.staff.access_log_factories import log_row_showing

ROOT = Path(settings.BASE_DIR)
VALIDATOR = jsonschema.Draft202012Validator(stream.SCHEMA, format_checker=jsonschema.FormatChecker())


@pytest.fixture
def stream_file(tmp_path):
    """The stream into a temporary file, with the handler and formatter STABIL_AUDIT_STREAM=file:... makes."""
    path = tmp_path / "audit.jsonl"
    config = stream.handler_config(f"file:{path}")
    handler = stream.SafeWatchedFileHandler(config["filename"], encoding=config["encoding"])
    handler.setFormatter(stream.JsonLineFormatter())
    stream.logger.addHandler(handler)
    stream._slugs.clear()  # ids repeat between tests
    yield path
    stream.logger.removeHandler(handler)
    handler.close()


def lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n")
    parsed = [json.loads(line) for line in text.splitlines()]
    for line in parsed:
        VALIDATOR.validate(line)
    return parsed


def test_a_real_request_streams_one_line_for_its_one_row(world, stream_file, django_capture_on_commit_callbacks):
    the_case = case(world.unit, "ALFA-1", main=world.bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("alice").get(
            reverse("caseload:case_detail", args=[the_case.pk]), REMOTE_ADDR="10.1.2.3"
        )
    assert response.status_code == 200
    row = AccessLogEntry.objects.get()
    [line] = lines(stream_file)
    assert line == {
        "schema": 1,
        "type": "access",
        "id": row.pk,
        "at": row.at.astimezone(stream.datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "organisation_id": world.org.pk,
        "organisation_slug": "alfa",
        "user_id": world.alice.user_id,
        "url_name": "caseload:case_detail",
        "method": "GET",
        "status": 200,
        "ip": "10.1.2.3",
        "staff_id": world.alice.pk,
        "scim_token_id": None,
        "channel": "page",
        "url_ids": f"pk={the_case.pk}",
        "kind": "case",
        "object_id": the_case.pk,
        "unit_id": world.unit.pk,
        "objects": [{"kind": "case", "id": the_case.pk, "unit_id": world.unit.pk}],
        "purpose": "",
    }
    text = stream_file.read_text(encoding="utf-8")
    assert "ALFA-1" not in text and "Alice" not in text and "alice" not in text  # ids only


def test_two_requests_two_lines_and_a_refused_one_is_streamed_with_its_status(
    world, stream_file, django_capture_on_commit_callbacks
):
    foreign = case(world.other_unit, "BETA-1", main=world.charlie)
    with django_capture_on_commit_callbacks(execute=True):
        world.client("frank").get(reverse("staff:admin_staff_list"))
        assert world.client("bob").get(reverse("caseload:case_detail", args=[foreign.pk])).status_code == 404
    assert AccessLogEntry.objects.count() == 2
    listed, refused = lines(stream_file)
    assert (listed["url_name"], listed["staff_id"], listed["status"]) == ("staff:admin_staff_list", world.frank.pk, 200)
    assert len(listed["objects"]) == 9  # every person of Alfa kommun the list showed
    assert (refused["status"], refused["url_ids"], refused["organisation_id"]) == (
        404,
        f"pk={foreign.pk}",
        world.org.pk,
    )


def test_a_rolled_back_transaction_streams_nothing(world, stream_file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            log_row_showing(world, "alice", [("staff", world.bob.pk, world.unit.pk)], url_name="staff:admin_staff_edit")
            SecurityEvent.objects.create(kind=SecurityEvent.Kind.MFA_ENROLLED, method="POST", status=200)
            raise RuntimeError("the request failed")
    assert not AccessLogEntry.objects.exists() and not SecurityEvent.objects.exists()
    assert lines(stream_file) == []


@pytest.mark.django_db(transaction=True)
def test_with_real_commits_only_the_committed_event_is_streamed(world, stream_file, rf):
    request = rf.post("/accounts/login/", REMOTE_ADDR="10.9.9.9")
    with pytest.raises(RuntimeError), transaction.atomic():
        security_event_write(request, "csrf_failure", status=403, organisation_id=world.org.pk)
        raise RuntimeError("rolled back")
    assert lines(stream_file) == []
    security_event_write(
        request, "sso_refused", status=403, organisation_id=world.org.pk, user_id=world.bob.user_id, reason="replay"
    )
    [line] = lines(stream_file)
    assert line == {
        "schema": 1,
        "type": "security",
        "id": SecurityEvent.objects.get().pk,  # without RETURNING (row-level security), from the sequence
        "at": line["at"],
        "organisation_id": world.org.pk,
        "organisation_slug": "alfa",
        "user_id": world.bob.user_id,
        "url_name": "",
        "method": "POST",
        "status": 403,
        "ip": "10.9.9.9",
        "event": "sso_refused",
        "reason": "replay",
        "by_label": "",
        "actor_user_id": None,
    }
    assert (
        SecurityEvent.objects.get().at.astimezone(stream.datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") == line["at"]
    )


def test_security_events_of_every_write_path_are_streamed(world, stream_file, django_capture_on_commit_callbacks):
    """A refused API token (middleware), a CSRF failure (its view) and access ended in bulk (staff.services)."""
    from staff.services import login_set_active

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world.bob.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION="Token stb_nothing_x").status_code == 401
        assert csrf_client.post(reverse("staff:access_log_settings")).status_code == 403
        login_set_active(member=world.heidi, active=False, by_label="admin page", by=world.frank)
    events = lines(stream_file)
    assert [e["event"] for e in events] == ["token_refused", "csrf_failure", "access_ended"]
    assert all(e["type"] == "security" for e in events)
    assert (events[1]["organisation_slug"], events[1]["user_id"]) == ("alfa", world.bob.user_id)
    # Every line names its row: the middleware's insert without RETURNING takes its id from the sequence.
    assert [e["id"] for e in events] == [SecurityEvent.objects.get(kind=e["event"]).pk for e in events]
    assert (events[2]["reason"], events[2]["actor_user_id"]) == ("login_switched_off", world.frank.user_id)
    assert SecurityEvent.objects.count() == 3


def test_an_e_mail_row_written_in_bulk_is_streamed(world, stream_file, django_capture_on_commit_callbacks):
    the_case = case(world.unit, "ALFA-2", main=world.bob)
    with django_capture_on_commit_callbacks(execute=True):
        emailed_reads(organisation_id=world.org.pk, sent=[(world.bob.pk, world.bob.user_id, [(the_case.pk, None)])])
    [line] = lines(stream_file)
    assert (line["channel"], line["status"], line["ip"], line["id"]) == (
        "email",
        0,
        None,
        AccessLogEntry.objects.get().pk,
    )


def test_without_a_handler_nothing_is_queued(world, django_capture_on_commit_callbacks, monkeypatch):
    # As config/settings leaves the logger with STABIL_AUDIT_STREAM="" (pytest hangs its capture handlers on it)
    monkeypatch.setattr(stream.logger, "handlers", [])
    with django_capture_on_commit_callbacks() as callbacks:
        SecurityEvent.objects.create(kind=SecurityEvent.Kind.MFA_ENROLLED, method="POST", status=200)
    assert callbacks == []  # no work after commit at all


def test_the_sample_file_validates_against_the_schema_the_code_uses():
    sample = (ROOT / "docs/samples/audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(sample) >= 3
    types = set()
    for text in sample:
        line = json.loads(text)
        VALIDATOR.validate(line)
        types.add(line["type"])
    assert types == {"access", "security"}


def test_the_documented_fields_are_the_schemas():
    doc = (ROOT / "docs/integrations.md").read_text(encoding="utf-8")
    section = doc.split("## Logs out", 1)[1].split("\n## ", 1)[0]
    documented, in_table = set(), False
    for row in section.splitlines():
        in_table = row.startswith("| Field |") or (in_table and row.startswith("|"))
        if in_table and row.startswith("| `"):
            documented.add(row.split("|")[1].strip("` "))
    assert documented == {*stream.COMMON_FIELDS, *stream.ACCESS_FIELDS, *stream.SECURITY_FIELDS}


def test_the_schema_refuses_a_name_and_a_missing_field():
    good = json.loads((ROOT / "docs/samples/audit.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert VALIDATOR.is_valid(good)
    assert not VALIDATOR.is_valid({**good, "name": "Alice"})
    assert not VALIDATOR.is_valid({k: v for k, v in good.items() if k != "organisation_id"})
    assert not VALIDATOR.is_valid({**good, "ip": "not an address"})


@pytest.mark.parametrize(
    ("value", "handler"),
    [
        ("", None),
        ("file:/var/log/stabil/audit.jsonl", "SafeWatchedFileHandler"),
        ("syslog", "syslog_handler"),
        ("syslog:logs.kommun.se:514", "syslog_handler"),
    ],
)
def test_the_setting_names_a_handler(value, handler):
    config = stream.handler_config(value)
    if handler is None:
        assert config is None
        assert stream.logging_config(value)["loggers"][stream.LOGGER]["handlers"] == []
    else:
        assert handler in (config.get("class") or config["()"])
        assert config["formatter"] == "audit_json"


@pytest.mark.parametrize("value", ["file:relative.jsonl", "syslog:host", "syslog:host:99999", "kafka:x", "syslog:"])
def test_a_malformed_setting_stops_the_start(value):
    with pytest.raises(ImproperlyConfigured):
        stream.handler_config(value)


def _run_with_setting(value: str, code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "STABIL_AUDIT_STREAM": value, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    script = (
        "import django; django.setup()\n"
        "from staff.platform.audit import stream\n"
        "from staff.platform.audit.models import SecurityEvent\n"
        "event = SecurityEvent(pk=7, kind='csrf_failure', method='POST', status=403, address='10.0.0.7')\n"
        "stream._emit([event])\n" + code
    )
    return subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_the_settings_write_the_file_the_environment_names(tmp_path):
    path = tmp_path / "out" / "audit.jsonl"
    path.parent.mkdir()
    result = _run_with_setting(f"file:{path}", "")
    assert result.returncode == 0, result.stderr
    [line] = lines(path)
    assert (line["event"], line["ip"], line["organisation_slug"]) == ("csrf_failure", "10.0.0.7", None)
    assert '"csrf_failure"' not in result.stderr  # not on the console as well


@pytest.mark.parametrize("value", ["syslog:logs.nonexistent.invalid:514", "file:/proc/no-such-dir/audit.jsonl"])
def test_a_log_target_that_is_not_there_does_not_stop_the_start_or_a_request(value):
    """A syslog host that does not resolve or a file that cannot be written: the application starts, the line
    is reported on stderr and lost, and the process goes on (the next line is tried again)."""
    result = _run_with_setting(value, "print('still running')\n")
    assert result.returncode == 0, result.stderr
    assert "still running" in result.stdout
    assert "Unable to configure handler" not in result.stderr


def test_the_settings_send_to_a_syslog_server():
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.settimeout(30)
    try:
        result = _run_with_setting(f"syslog:127.0.0.1:{server.getsockname()[1]}", "")
        assert result.returncode == 0, result.stderr
        datagram = server.recv(65536).decode("utf-8")
    finally:
        server.close()
    # local0.info = 16 * 8 + 6; the tag, then the one JSON object
    assert datagram.startswith("<134>stabil-audit: ")
    line = json.loads(datagram.removeprefix("<134>stabil-audit: ").rstrip("\x00"))
    VALIDATOR.validate(line)
    assert line["event"] == "csrf_failure"


WRITER = """
import logging, logging.config, sys
from staff.platform.audit.stream import logging_config
logging.config.dictConfig({"version": 1, **logging_config("file:" + sys.argv[1])})
log = logging.getLogger("stabil.audit")
for i in range(300):
    log.info("x", extra={"audit": {"writer": sys.argv[2], "i": i, "pad": sys.argv[2] * 40000}})
"""


def test_long_lines_of_processes_writing_at_once_never_interleave(tmp_path):
    """The handler the setting makes, in two processes at once: every line of 40 KB arrives whole."""
    path = tmp_path / "audit.jsonl"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name], cwd=ROOT, env=env) for name in "ab"]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    parsed = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert sorted((p["writer"], p["i"]) for p in parsed) == sorted((w, i) for w in "ab" for i in range(300))


def test_a_moved_file_is_written_anew(tmp_path, world, stream_file, django_capture_on_commit_callbacks):
    """logrotate moves the file: the next line goes to a new file of the configured name."""
    with django_capture_on_commit_callbacks(execute=True):
        SecurityEvent.objects.create(kind=SecurityEvent.Kind.MFA_ENROLLED, method="POST", status=200)
    stream_file.rename(tmp_path / "audit.jsonl.1")
    with django_capture_on_commit_callbacks(execute=True):
        SecurityEvent.objects.create(kind=SecurityEvent.Kind.MFA_DISABLED, method="POST", status=200)
    assert [line["event"] for line in lines(tmp_path / "audit.jsonl.1")] == ["mfa_enrolled"]
    assert [line["event"] for line in lines(stream_file)] == ["mfa_disabled"]
