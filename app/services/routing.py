"""Travel between points, and the best order of a day's visits (VROOM, through pyvroom).

Plain values in and out, no database: ``plans`` builds the problem from a plan and stores
the answer. Times are whole seconds from the moment the rep may leave the start point.
"""
import json
import logging
import urllib.request
from dataclasses import dataclass

import vroom

from app.services.activities import distance_m

log = logging.getLogger(__name__)

# How hard VROOM searches (0-5): its default 5 for the first answer, less for the shorter
# days tried after it (each a yes/no question more than a search); 25 stops in well under
# a second on the 2-core test machine (bench/plans.py).
EXPLORATION_LEVEL = 5
SHORTER_DAY_EXPLORATION_LEVEL = 3
# The bisection on the day's end stops when it would gain less than this.
SHORTEN_STEP_S = 300
OSRM_MAX_POINTS = 100  # a day of at most 60 stops, its start and its end


@dataclass(frozen=True)
class Travel:
    """Seconds and metres from each point to each other point (row: from, column: to)."""

    seconds: list[list[int]]
    metres: list[list[int]]
    source: str  # "straight_line" or "osrm"


@dataclass(frozen=True)
class Task:
    """A visit to plan: its point in the Travel matrix, how long it lasts, and for a fixed
    appointment the window its visit must start in."""

    location: int
    service_s: int
    window: tuple[int, int] | None = None


@dataclass(frozen=True)
class Visit:
    task: int  # index into the tasks given
    arrival_s: int
    start_s: int  # after any wait for the window to open
    leg_s: int
    leg_m: int


@dataclass(frozen=True)
class Route:
    leave_s: int
    finish_s: int  # at the end point, or when the last visit ends
    visits: list[Visit]
    unassigned: list[int]  # indexes of the tasks that could not be fitted
    travel_s: int
    distance_m: int


def straight_line(points: list[tuple[float, float]], road_factor: float,
                  speed_kmh: float) -> Travel:
    """Great-circle distance times a road factor, driven at an average speed."""
    metres_per_second = speed_kmh / 3.6
    metres = [[round(distance_m(a[0], a[1], b[0], b[1]) * road_factor) for b in points]
              for a in points]
    seconds = [[round(m / metres_per_second) for m in row] for row in metres]
    return Travel(seconds, metres, "straight_line")


def osrm_table(base_url: str, points: list[tuple[float, float]],
               timeout: float) -> Travel | None:
    """Road times and distances from an OSRM server's table service, or None when it does
    not answer usefully (the caller falls back to straight lines)."""
    if not 2 <= len(points) <= OSRM_MAX_POINTS:
        return None
    coordinates = ";".join(f"{lng:.6f},{lat:.6f}" for lat, lng in points)
    url = (f"{base_url.rstrip('/')}/table/v1/driving/{coordinates}"
           "?annotations=duration,distance")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = json.loads(response.read(4 * 1024 * 1024))
        durations, distances = body["durations"], body["distances"]
        if body.get("code") != "Ok" or len(durations) != len(points) \
                or len(distances) != len(points):
            raise ValueError(body.get("code"))
        return Travel([[round(s) for s in row] for row in durations],
                      [[round(m) for m in row] for row in distances], "osrm")
    except (OSError, ValueError, KeyError, TypeError):
        # OSError: no answer; ValueError: not JSON, not Ok; TypeError: a null cell
        log.warning("OSRM table at %s did not answer usefully; using straight lines",
                    base_url, exc_info=True)
        return None


def follow(travel: Travel, start: int, end: int | None, tasks: list[Task],
           order: list[int], leave_s: int = 0) -> Route:
    """The timeline of visiting ``tasks`` in ``order``: wait for a window that has not
    opened, never skip one that has closed (the visit is late instead)."""
    visits, here, now, travel_s, metres = [], start, leave_s, 0, 0
    for index in order:
        task = tasks[index]
        leg_s, leg_m = travel.seconds[here][task.location], travel.metres[here][task.location]
        arrival = now + leg_s
        begin = max(arrival, task.window[0]) if task.window else arrival
        visits.append(Visit(index, arrival, begin, leg_s, leg_m))
        now, here = begin + task.service_s, task.location
        travel_s, metres = travel_s + leg_s, metres + leg_m
    if end is not None:
        travel_s, metres = travel_s + travel.seconds[here][end], metres + travel.metres[here][end]
        now += travel.seconds[here][end]
    planned = set(order)
    return Route(leave_s, now, visits, [i for i in range(len(tasks)) if i not in planned],
                 travel_s, metres)


def optimise(travel: Travel, start: int, end: int | None, tasks: list[Task],
             day_s: int) -> Route:
    """The order that ends the day earliest, with the least driving for it, keeping every
    visit's window inside the working day [0, day_s]; visits that cannot be fitted are
    left out (``unassigned``). The rep leaves as late as the plan allows.

    VROOM minimises driving: waiting for an appointment costs it nothing, so its first
    answer may idle an hour rather than drive ten more minutes. So we ask again for shorter
    days (a bisection on the day's end) as long as as many visits still fit."""
    fits = [i for i, task in enumerate(tasks) if task.window is None
            or 0 <= task.window[1] and task.window[0] <= min(task.window[1], day_s)]
    best = _solve(travel, start, end, tasks, fits, day_s, EXPLORATION_LEVEL)
    if not best.visits:
        return best
    shortest = sum(tasks[v.task].service_s for v in best.visits)  # no day ends sooner
    while best.finish_s - shortest > SHORTEN_STEP_S:
        limit = (shortest + best.finish_s) // 2
        shorter = _solve(travel, start, end, tasks, fits, limit, SHORTER_DAY_EXPLORATION_LEVEL)
        if len(shorter.visits) == len(best.visits) and shorter.finish_s < best.finish_s:
            best = shorter
        else:
            shortest = limit
    return best


def _solve(travel: Travel, start: int, end: int | None, tasks: list[Task], fits: list[int],
           day_s: int, exploration: int) -> Route:
    """One VROOM run: the tasks ``fits`` into [0, day_s], least driving first."""
    if not fits or day_s <= 0:
        return follow(travel, start, end, tasks, [])
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=travel.seconds)
    problem.add_vehicle(vroom.Vehicle(id=1, start=start, end=end,
                                      time_window=vroom.TimeWindow(0, day_s)))
    problem.add_job([vroom.Job(
        id=i + 1, location=tasks[i].location, service=tasks[i].service_s,
        time_windows=[vroom.TimeWindow(max(0, tasks[i].window[0]), tasks[i].window[1])]
        if tasks[i].window else ()) for i in fits])
    solution = problem.solve(exploration_level=exploration, nb_threads=1).to_dict()
    if not solution["routes"]:
        return follow(travel, start, end, tasks, [])
    steps = solution["routes"][0]["steps"]
    order = [step["id"] - 1 for step in steps if step["type"] == "job"]
    return follow(travel, start, end, tasks, order, leave_s=steps[0]["arrival"])
