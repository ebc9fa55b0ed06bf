"""Generated allocation meetings for the benchmark, the tests and demo data (seeded, reproducible).

Shaped like the seed unit: levels roughly 1/2/3/4 = 25/40/25/10 %, capacity per level scaled by FTE,
current loads between 40 and 95 % of capacity, a few absent and on duty, weights 1/2/3 = 60/30/10 %,
about one case in ten acute, interests and earlier handlers on some cases.
"""

from __future__ import annotations

import random
from decimal import Decimal

from .model import QueuedCase, Worker

CAPACITY_BY_LEVEL = {1: 10, 2: 14, 3: 16, 4: 6}


def sample_workers(
    rng: random.Random, count: int, *, first_id: int = 1, load_percent: tuple[int, int] = (40, 95)
) -> list[Worker]:
    workers = []
    for i in range(count):
        level = rng.choices([1, 2, 3, 4], weights=[25, 40, 25, 10])[0]
        fte = rng.choices([Decimal("1"), Decimal("0.8"), Decimal("0.75"), Decimal("0.5")], weights=[70, 15, 10, 5])[0]
        capacity = CAPACITY_BY_LEVEL[level] * fte
        load = (capacity * Decimal(rng.randint(*load_percent)) / 100).quantize(Decimal("0.5"))
        workers.append(
            Worker(
                id=first_id + i,
                level=level,
                capacity=capacity,
                load=load,
                is_specialist=level == 4,
                on_duty=rng.random() < 0.1,
                absent=rng.random() < 0.05,
            )
        )
    return workers


def sample_cases(rng: random.Random, count: int, worker_ids: list[int], *, first_id: int = 1) -> list[QueuedCase]:
    cases = []
    for i in range(count):
        interested = rng.sample(worker_ids, k=min(len(worker_ids), rng.choice([0, 0, 1, 1, 2, 3])))
        earlier = rng.sample(worker_ids, k=min(len(worker_ids), rng.choice([0, 0, 0, 0, 1, 2])))
        cases.append(
            QueuedCase(
                id=first_id + i,
                number=f"IFO-{2026_0000 + first_id + i}",
                weight=rng.choices([1, 2, 3], weights=[60, 30, 10])[0],
                acute=rng.random() < 0.1,
                interested=frozenset(interested),
                earlier_handlers=frozenset(earlier),
                weeks_waited=rng.choice([0, 0, 0, 1, 1, 2]),
            )
        )
    return cases


def sample_meeting(
    seed: int, cases: int, workers: int, *, load_percent: tuple[int, int] = (40, 95)
) -> tuple[list[QueuedCase], list[Worker]]:
    rng = random.Random(seed)
    staff = sample_workers(rng, workers, load_percent=load_percent)
    return sample_cases(rng, cases, [w.id for w in staff]), staff
