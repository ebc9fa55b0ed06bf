"""Meeting pages: the unit's cycle and calendar feed (cycle), the allocation board and its actions (board),
the review forms before the meeting (review_forms). Thin: the work is in services, selectors and reviews."""

from .board import (
    board,
    duty_set,
    interest_toggle,
    proposal_adjust,
    proposal_confirm,
    proposal_make,
    wrap_up_save,
)
from .cycle import feed_token_regenerate, token_feed, unit_cycle, unit_feed
from .review_forms import review_form, review_forms_read

__all__ = [
    "board",
    "duty_set",
    "feed_token_regenerate",
    "interest_toggle",
    "proposal_adjust",
    "proposal_confirm",
    "proposal_make",
    "review_form",
    "review_forms_read",
    "token_feed",
    "unit_cycle",
    "unit_feed",
    "wrap_up_save",
]
