"""The drop folder (staff/imports/drop.py): a file in <dir>/<slug>/<kind>/ is previewed, applied when it has
no error, moved to done/ or failed/, and the organisation admins are told what changed."""

from __future__ import annotations

import os
import time

import pytest
from django.utils import translation

from staff.imports.drop import drop_folder_run
from staff.imports.models import ImportRun
from staff.models import Notification, StaffMember
from staff.tasks import BEAT_SCHEDULE
from tests.staff.imports_support import STAFF_HEADER, csv, staff_line


@pytest.fixture
def drop(settings, tmp_path):
    settings.IMPORT_DROP_DIR = str(tmp_path)
    settings.IMPORT_DROP_MIN_AGE_SECONDS = 0
    folder = tmp_path / "alfa" / "staff"
    folder.mkdir(parents=True)
    return folder


def test_the_beat_runs_the_drop_folder():
    assert BEAT_SCHEDULE["imports-drop-folder"]["task"] == "staff.imports.tasks.import_drop_folder_all"


def test_a_clean_file_is_applied_moved_to_done_and_the_admins_are_told(world, drop):
    (drop / "heroma.csv").write_bytes(csv(STAFF_HEADER, staff_line(), staff_line(number="1002")))
    with translation.override("en"):
        [run] = drop_folder_run(organisation=world.org)
    assert run.status == ImportRun.Status.APPLIED and run.source == "drop" and run.uploaded_by is None
    assert StaffMember.objects.filter(organisation=world.org, employee_number__in=["1001", "1002"]).count() == 2
    assert sorted(p.name for p in drop.iterdir()) == ["done", "processing"]
    assert not any((drop / "processing").iterdir())
    [done] = (drop / "done").iterdir()
    assert done.name.endswith("-heroma.csv")
    [note] = Notification.objects.filter(organisation=world.org)
    assert note.recipient == world.frank
    assert note.subject == "Import from the drop folder applied: heroma.csv"
    assert note.body == "create: 2"
    # nothing new in the folder: nothing happens
    assert drop_folder_run(organisation=world.org) == []


def test_a_file_with_an_error_is_not_applied_and_moves_to_failed(world, drop):
    (drop / "heroma.csv").write_bytes(csv(STAFF_HEADER, staff_line(), staff_line(number="1002", unit="Okänd")))
    with translation.override("en"):
        [run] = drop_folder_run(organisation=world.org)
    assert run.status == ImportRun.Status.FAILED
    assert run.error.startswith("1 rows have errors; nothing was applied.")
    assert run.counts == {"create": 1, "error": 1} and len(run.plans) == 2  # the rows stay readable
    assert not StaffMember.objects.filter(employee_number="1001").exists()
    assert [p.name.endswith("-heroma.csv") for p in (drop / "failed").iterdir()] == [True]
    note = Notification.objects.get(organisation=world.org, recipient=world.frank)
    assert note.subject == "Import from the drop folder not applied: heroma.csv"


def test_a_file_still_being_written_waits_and_another_organisations_folder_is_not_read(world, drop, settings):
    settings.IMPORT_DROP_MIN_AGE_SECONDS = 60
    young = drop / "heroma.csv"
    young.write_bytes(csv(STAFF_HEADER, staff_line()))
    assert drop_folder_run(organisation=world.org) == []
    assert young.exists()
    old = time.time() - 61
    os.utime(young, (old, old))
    beta = drop.parent.parent / "beta" / "staff"
    beta.mkdir(parents=True)
    (beta / "beta.csv").write_bytes(csv(STAFF_HEADER, staff_line(number="5005")))
    assert len(drop_folder_run(organisation=world.org)) == 1
    assert (beta / "beta.csv").exists()
    assert not StaffMember.objects.filter(employee_number="5005").exists()


def test_an_unreadable_file_is_a_failed_run(world, drop):
    (drop / "bild.png").write_bytes(b"\x89PNG\x00\x00")
    [run] = drop_folder_run(organisation=world.org)
    assert run.status == ImportRun.Status.FAILED and run.error
    assert (drop / "failed").exists()


def test_without_a_drop_folder_nothing_is_read(world, settings):
    settings.IMPORT_DROP_DIR = ""
    assert drop_folder_run(organisation=world.org) == []
