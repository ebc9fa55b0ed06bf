"""Writes of the survey app: schedule, open, invite, remind, close, answer, action plans, baseline, exits.

Every function is keyword-only, takes the organisation and checks that related objects belong to it.
Steps run by the periodic task take `now` so that tests (and a demo) can move time.

One module per part of the work (rounds, invitations, answers, plans, records, survey_settings); every
public function is importable from `surveys.services` as before.
"""

from .answers import answer_submit
from .invitations import (
    round_invite,
    round_invite_chunk,
    round_invite_due,
    round_remind,
    round_remind_chunk,
    round_remind_due,
)
from .plans import action_plan_offer, action_plan_reminders_send, action_plan_update, rhythm_step_record
from .records import BASELINE_COLUMNS, baseline_import, exit_interview_record
from .rounds import (
    FanOut,
    round_close,
    round_close_due,
    round_ensure,
    round_open_due,
    round_schedule,
    round_tick,
    snapshot_take,
)
from .survey_settings import survey_settings_get, survey_settings_update

__all__ = [
    "BASELINE_COLUMNS",
    "FanOut",
    "action_plan_offer",
    "action_plan_reminders_send",
    "action_plan_update",
    "answer_submit",
    "baseline_import",
    "exit_interview_record",
    "rhythm_step_record",
    "round_close",
    "round_close_due",
    "round_ensure",
    "round_invite",
    "round_invite_chunk",
    "round_invite_due",
    "round_open_due",
    "round_remind",
    "round_remind_chunk",
    "round_remind_due",
    "round_schedule",
    "round_tick",
    "snapshot_take",
    "survey_settings_get",
    "survey_settings_update",
]
