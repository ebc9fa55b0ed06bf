"""The span behind complementary suppression: sparse reduction agrees with a plain dense rank."""

import random

from surveys.selectors.results import _Span
from tests.surveys.test_suppression import _rank  # textbook elimination: the reference for the sparse span


def _dense(units: list[int], cell: list[int]) -> list[int]:
    return [cell.count(u) for u in units]


def test_span_contains_exactly_the_combinations_of_published_cells():
    rng = random.Random(9)  # noqa: S311 - reproducible cases, not secrets
    checked = {True: 0, False: 0}
    for _ in range(300):
        units = list(range(100, 100 + rng.randint(1, 9)))
        published = [rng.sample(units, rng.randint(1, len(units))) for _ in range(rng.randint(0, 6))]
        hidden = rng.sample(units, rng.randint(1, len(units)))
        span = _Span({u: i for i, u in enumerate(units)})
        for cell in published:
            span.add(cell)
        rows = [_dense(units, c) for c in published]
        expected = _rank(rows + [_dense(units, hidden)]) == _rank(rows) if rows else False
        assert span.contains(hidden) is expected, (published, hidden)
        checked[expected] += 1
    assert checked[True] > 30 and checked[False] > 30  # both answers were exercised


def test_a_department_minus_its_published_units_is_derived():
    span = _Span({1: 0, 2: 1, 3: 2})
    span.add([1, 2, 3])  # the department
    span.add([1])
    assert not span.contains([3])
    span.add([2])
    assert span.contains([3])
