"""A fast primal heuristic: round the LP relaxation into an allocation that obeys every hard rule.

Cases go in the order of how much of them the LP places (then by the LP's own preference); each takes
the main handler the LP gives most of it, or else the cheapest by reduced cost, that still has room (a new
worker's main case takes its co-handler at once); then co-handlers, again the LP's choice first; cases
the LP leaves out come last and are placed where room is left if that pays. Ordering by the LP keeps the
case mix the LP found (light cases before heavy ones where room is short), which the fixed order of the
greedy baseline cannot.
"""

from __future__ import annotations

import numpy as np

from . import costs
from .model import AllocationRules, QueuedCase, Worker


def round_lp(
    cases: list[QueuedCase],
    workers: list[Worker],
    rules: AllocationRules,
    x: dict[tuple[int, int], int],
    y: dict[tuple[int, int], int],
    values: np.ndarray | None,
    reduced: np.ndarray,
) -> dict[int, costs.Pair | None]:
    """``values``: the LP solution, or None before the LP has finished (then ``reduced`` holds the
    columns' own costs, and cases go by their cost of being left out per unit of room)."""
    by_id = {w.id: w for w in workers}
    free = {w.id: w.free_units for w in workers}
    load = {w.id: w.load_units for w in workers}
    curves = {w.id: costs.load_curve(w, rules) for w in workers}
    mains: dict[int, list[tuple[float, float, int]]] = {ci: [] for ci in range(len(cases))}
    cos: dict[int, list[tuple[float, float, int]]] = {ci: [] for ci in range(len(cases))}
    lp = np.zeros(len(reduced)) if values is None else values
    for (ci, wid), col in x.items():
        mains[ci].append((-lp[col], reduced[col], wid))
    for (ci, wid), col in y.items():
        cos[ci].append((-lp[col], reduced[col], wid))
    for options in (*mains.values(), *cos.values()):
        options.sort()
    placed = {ci: -sum(v for v, _, _ in mains[ci]) for ci in mains}

    def marginal(wid: int, units: int) -> int:
        return curves[wid].cost(load[wid] + units) - curves[wid].cost(load[wid])

    def take(wid: int, units: int) -> None:
        free[wid] -= units
        load[wid] += units

    def co_for(ci: int, main: Worker, *, required: bool) -> int | None:
        case = cases[ci]
        units = costs.co_units(case, rules)
        gain = rules.missing_co + costs.pairing_cost(main, None, rules)
        for _, _, wid in cos[ci]:
            if wid == main.id or units > free[wid]:
                continue
            price = costs.co_cost(case, by_id[wid], rules) + marginal(wid, units)
            price += costs.pairing_cost(main, by_id[wid], rules)
            if required or price < gain:
                return wid
        return None

    allocation: dict[int, costs.Pair | None] = {c.id: None for c in cases}

    def priority(ci: int) -> tuple:
        """Acute cases first, then those the LP places; among those, the ones it places on one worker,
        then the dearest to leave out and the heaviest (hardest to fit) first."""
        settled = bool(mains[ci]) and -mains[ci][0][0] > 1 - 1e-6
        unassigned = costs.unassigned_cost(cases[ci], rules)
        if values is None:  # no LP: the most valuable per unit of room first
            return (not cases[ci].acute, -unassigned / cases[ci].weight, ci)
        return (not cases[ci].acute, -round(placed[ci], 6), not settled, -unassigned, -cases[ci].weight, ci)

    order = sorted(range(len(cases)), key=priority)
    for ci in order:
        case = cases[ci]
        units = costs.main_units(case)
        for _, _, wid in mains[ci]:
            main = by_id[wid]
            if units > free[wid]:
                continue
            if placed[ci] < 0.5:  # a case the LP leaves out (or every case without LP): only where it pays
                price = costs.main_cost(case, main, rules) + marginal(wid, units) + rules.missing_co
                if price >= costs.unassigned_cost(case, rules):
                    continue
            take(wid, units)
            co = co_for(ci, main, required=True) if costs.needs_co(main, rules) else None
            if costs.needs_co(main, rules) and co is None:
                take(wid, -units)
                continue
            if co is not None:
                take(co, costs.co_units(case, rules))
            allocation[case.id] = (wid, co)
            break

    def co_pass() -> None:
        for ci in order:  # co-handlers with the room that is left, where they pay
            case = cases[ci]
            pair = allocation[case.id]
            if pair is None or pair[1] is not None:
                continue
            co = co_for(ci, by_id[pair[0]], required=False)
            if co is not None:
                take(co, costs.co_units(case, rules))
                allocation[case.id] = (pair[0], co)

    co_pass()
    # Repair: a case left out is worth more than the co-handlers it would displace. Place it with a main
    # (not a new worker) whose room is freed by dropping co roles that are not required, where that pays.
    co_roles: dict[int, list[int]] = {w.id: [] for w in workers}
    for ci, case in enumerate(cases):
        pair = allocation[case.id]
        if pair is not None and pair[1] is not None and not costs.needs_co(by_id[pair[0]], rules):
            co_roles[pair[1]].append(ci)
    for ci in sorted(order, key=lambda ci: (-costs.unassigned_cost(cases[ci], rules), cases[ci].weight)):
        case = cases[ci]
        if allocation[case.id] is not None:
            continue
        units = costs.main_units(case)
        best = None
        for _, _, wid in mains[ci]:
            main = by_id[wid]
            if costs.needs_co(main, rules) or units > main.free_units:
                continue
            dropped, room, loss = [], free[wid], 0
            for di in sorted(co_roles[wid], key=lambda di: -costs.co_units(cases[di], rules)):
                if room >= units:
                    break
                other = cases[di]
                dropped.append(di)
                room += costs.co_units(other, rules)
                loss += rules.missing_co - costs.co_cost(other, main, rules)
                loss += costs.pairing_cost(by_id[allocation[other.id][0]], None, rules)
                loss -= costs.pairing_cost(by_id[allocation[other.id][0]], main, rules)
            if room < units:
                continue
            gain = costs.unassigned_cost(case, rules) - costs.main_cost(case, main, rules) - rules.missing_co - loss
            gain -= curves[wid].cost(load[wid] + units - (room - free[wid])) - curves[wid].cost(load[wid])
            if gain > 0 and (best is None or gain > best[0]):
                best = (gain, wid, dropped, room - free[wid])
        if best is None:
            continue
        _, wid, dropped, released = best
        for di in dropped:
            allocation[cases[di].id] = (allocation[cases[di].id][0], None)
            co_roles[wid].remove(di)
        take(wid, -released)
        take(wid, units)
        allocation[case.id] = (wid, None)
    co_pass()
    return allocation
