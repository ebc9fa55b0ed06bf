"""staff.platform.links: a row link made from one reverse() is the text reverse() gives for that id."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from staff.platform.links import link_format


@pytest.mark.parametrize("prefix", ["/", "/stabil/"])
@pytest.mark.parametrize("pk", [1, 42, 2**31 + 7, 9_876_543_210_123])
def test_link_is_what_reverse_gives(prefix, pk):
    set_script_prefix(prefix)
    try:
        assert link_format("caseload:case_detail")(pk) == reverse("caseload:case_detail", args=[pk])
        assert link_format("caseload:board")(pk) == reverse("caseload:board", args=[pk])
    finally:
        set_script_prefix("/")


def test_only_an_integer_goes_into_the_link():
    link = link_format("caseload:case_detail")
    with pytest.raises(ValueError):
        link("1/../../admin")


def test_a_url_without_an_argument_is_refused():
    with pytest.raises(NoReverseMatch):
        link_format("caseload:my_caseload")
