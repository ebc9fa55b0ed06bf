"""Eligibility: each entry rule is checked and explained; 'eligible within 3 months' helps planning."""

import datetime

import time_machine

from competence.models import IntroductionItem, LadderLevel, LevelPlacement
from competence.selectors import eligibility, eligibility_for, introduction_completed
from competence.services import ladder_settings_update
from tests.competence.conftest import TODAY
from tests.competence.factories import IntroductionItemFactory


def test_level1_without_introduction_plan_is_not_eligible(world, ladder):
    check = eligibility(staff=world.bob, on=TODAY)
    assert check.current.number == 1 and check.next.number == 2
    assert not check.eligible and not check.soon
    assert check.unmet == ["Personen har ingen introduktionsplan."]


def test_open_items_block_and_completed_introduction_makes_eligible(world, ladder):
    item = IntroductionItemFactory(staff=world.bob, due=datetime.date(2026, 4, 1))
    IntroductionItemFactory(staff=world.bob, done_on=datetime.date(2025, 10, 1))
    check = eligibility(staff=world.bob, on=TODAY)
    assert check.unmet == ["Introduktionen är inte genomförd (1 av 2 punkter återstår)."]
    assert check.soon  # the last open item is due within three months
    assert not introduction_completed(world.bob)
    IntroductionItem.objects.filter(pk=item.pk).update(done_on=TODAY)
    assert introduction_completed(world.bob)
    assert eligibility(staff=world.bob, on=TODAY).eligible


def test_years_of_experience_rule_and_soon(world, ladder):
    world.heidi.profession_start = datetime.date(2021, 6, 1)  # 4 full years on TODAY, 5 within 3 months
    world.heidi.save()
    check = eligibility(staff=world.heidi, on=TODAY)
    assert check.next.number == 3
    assert check.unmet == ["Minst 5,0 års erfarenhet krävs; hittills 4 hela år, uppnås 2026-06-01."]
    assert check.soon
    world.heidi.profession_start = datetime.date(2022, 6, 1)
    world.heidi.save()
    assert not eligibility(staff=world.heidi, on=TODAY).soon
    world.heidi.profession_start = datetime.date(2019, 1, 1)
    world.heidi.save()
    assert eligibility(staff=world.heidi, on=TODAY).eligible


def test_specialist_level_needs_a_free_post(world, ladder):
    LevelPlacement.objects.filter(staff=world.heidi).update(
        level=LadderLevel.objects.get(organisation=world.org, number=3)
    )
    assert eligibility(staff=world.heidi, on=TODAY).eligible  # 4 posts, carol holds one
    ladder_settings_update(organisation=world.org, specialist_posts=1)
    check = eligibility(staff=world.heidi, on=TODAY)
    assert check.unmet == ["Alla 1 specialisttjänster är tillsatta."]
    assert not check.soon  # carol's appointment runs to the end of 2026


def test_highest_level_has_no_next(world, ladder):
    check = eligibility(staff=world.carol, on=TODAY)
    assert check.next is None and not check.eligible


@time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC))
def test_eligibility_for_many_uses_a_constant_number_of_queries(world, ladder, django_assert_max_num_queries):
    people = [world.bob, world.carol, world.heidi]
    with django_assert_max_num_queries(7):
        result = eligibility_for(organisation=world.org, staff=people, on=TODAY)
    assert {p.pk for p in people} == set(result)
