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


def test_the_integer_orthogonal_basis_and_the_combination_agree_with_the_dense_rank():
    """What the search's integer programme uses: a group is orthogonal to every (whole-number) vector of
    `orthogonal` exactly when it is in the span, and then `combination` sums the cells to it exactly."""
    rng = random.Random(11)  # noqa: S311 - reproducible cases, not secrets
    checked = {True: 0, False: 0}
    for _ in range(300):
        units = list(range(100, 100 + rng.randint(1, 9)))
        published = [rng.sample(units, rng.randint(1, len(units))) for _ in range(rng.randint(1, 6))]
        group = rng.sample(units, rng.randint(1, len(units)))
        span = _Span({u: i for i, u in enumerate(units)})
        for j, cell in enumerate(published):
            span.add(cell, label=j)
        rows = [_dense(units, c) for c in published]
        expected = _rank(rows + [_dense(units, group)]) == _rank(rows)
        vectors = span.orthogonal(len(units))
        assert all(isinstance(v, int) for vector in vectors for v in vector.values())
        assert len(vectors) == len(units) - _rank(rows)
        indicator = _dense(units, group)
        assert all(sum(v * indicator[i] for i, v in vector.items()) == 0 for vector in vectors) is expected
        combo = span.combination(group)
        assert (combo is not None) is expected
        if combo is not None:
            total = [sum(c * _dense(units, published[j])[i] for j, c in combo.items()) for i in range(len(units))]
            assert total == indicator, (published, group, combo)
        checked[expected] += 1
    assert checked[True] > 30 and checked[False] > 30
