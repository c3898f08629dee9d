"""The optimiser (app/services/routing.py, VROOM) against an exact answer.

The exact answer is a Held-Karp dynamic programme over (visited set, last stop) keeping the
earliest time the last visit can end: with waiting allowed before a window opens, ending
earlier never hurts, so that label is exact for the day's total duration (from the earliest
departure to arrival at the end point). 12 stops: 4,096 x 12 states, well under a second.
"""
import random

import pytest

from app.services import routing

HOUR = 3600
SERVICE = 30 * 60
DAY = 11 * HOUR  # a long day (08:00 to 19:00): every instance here fits


def _points(n: int, seed: int) -> list[tuple[float, float]]:
    """The start, n stops and the end, inside about 15 x 15 km of Shanghai."""
    rng = random.Random(seed)
    stops = [(31.16 + rng.random() * 0.14, 121.38 + rng.random() * 0.16) for _ in range(n)]
    return [(31.2304, 121.4737), *stops, (31.2400, 121.5000)]


def _tasks(n: int, windows: dict[int, int], width: int = 15 * 60) -> list[routing.Task]:
    """Stop i at point i + 1; ``windows`` maps a stop to when its appointment is (seconds
    from the earliest departure): the visit starts in the ``width`` before it."""
    return [routing.Task(i + 1, SERVICE, (windows[i] - width, windows[i]) if i in windows
                         else None) for i in range(n)]


def _exact_finish(travel: routing.Travel, start: int, end: int,
                  tasks: list[routing.Task]) -> int:
    n, never = len(tasks), float("inf")
    earliest = [[never] * n for _ in range(1 << n)]

    def visit(now: float, here: int, j: int) -> float:
        task = tasks[j]
        begin = now + travel.seconds[here][task.location]
        if task.window:
            begin = max(begin, task.window[0])
            if begin > task.window[1]:
                return never
        return begin + task.service_s

    for j in range(n):
        earliest[1 << j][j] = visit(0, start, j)
    for mask in range(1, 1 << n):
        for last in range(n):
            now = earliest[mask][last]
            if now == never:
                continue
            for j in range(n):
                if not mask >> j & 1:
                    done = visit(now, tasks[last].location, j)
                    if done < earliest[mask | 1 << j][j]:
                        earliest[mask | 1 << j][j] = done
    full = (1 << n) - 1
    return min(earliest[full][j] + travel.seconds[tasks[j].location][end] for j in range(n))


def _assert_windows_kept(route: routing.Route, tasks: list[routing.Task]) -> None:
    for visit in route.visits:
        window = tasks[visit.task].window
        if window:
            assert window[0] <= visit.start_s <= window[1], (visit, window)
        assert visit.start_s >= visit.arrival_s


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_12_stops_with_3_appointments_keep_every_window_within_5_percent_of_exact(seed):
    points = _points(12, seed)
    travel = routing.straight_line(points, road_factor=1.3, speed_kmh=30)
    tasks = _tasks(12, {2: 2 * HOUR, 7: int(4.5 * HOUR), 10: 7 * HOUR})
    end = len(points) - 1

    route = routing.optimise(travel, 0, end, tasks, DAY)
    exact = _exact_finish(travel, 0, end, tasks)

    assert exact <= DAY  # the instance fits the day, so every stop must be planned
    assert route.unassigned == []
    assert sorted(v.task for v in route.visits) == list(range(12))
    _assert_windows_kept(route, tasks)
    assert route.finish_s <= DAY
    assert exact <= route.finish_s <= 1.05 * exact, (route.finish_s, exact)
    # the figures add up: every leg, and the leg to the end point
    assert route.travel_s == sum(v.leg_s for v in route.visits) + travel.seconds[
        tasks[route.visits[-1].task].location][end]


def test_an_appointment_that_cannot_be_reached_in_time_is_left_out():
    points = [(31.23, 121.47), (31.24, 121.48), (30.2741, 120.1551)]  # the last: Hangzhou
    travel = routing.straight_line(points, road_factor=1.3, speed_kmh=30)
    tasks = [routing.Task(1, SERVICE), routing.Task(2, SERVICE, (0, HOUR))]
    route = routing.optimise(travel, 0, None, tasks, DAY)
    assert [v.task for v in route.visits] == [0] and route.unassigned == [1]


def test_windows_outside_the_day_and_a_day_too_short_leave_stops_out():
    travel = routing.straight_line(_points(3, 7), road_factor=1.3, speed_kmh=30)
    closed = routing.Task(1, SERVICE, (-2 * HOUR, -HOUR))  # before the rep may leave
    late = routing.Task(2, SERVICE, (DAY + HOUR, DAY + 2 * HOUR))  # after the day ends
    free = routing.Task(3, SERVICE)
    route = routing.optimise(travel, 0, 4, [closed, late, free], DAY)
    assert [v.task for v in route.visits] == [2] and route.unassigned == [0, 1]
    assert routing.optimise(travel, 0, 4, [free], 0).unassigned == [0]
    too_long = routing.Task(1, DAY + HOUR)
    assert routing.optimise(travel, 0, 4, [too_long], DAY).unassigned == [0]


def test_following_an_order_waits_for_a_window_and_marks_nothing_skipped():
    travel = routing.Travel(seconds=[[0, 600, 900], [600, 0, 300], [900, 300, 0]],
                            metres=[[0, 6000, 9000], [6000, 0, 3000], [9000, 3000, 0]],
                            source="straight_line")
    tasks = [routing.Task(1, SERVICE, (HOUR, HOUR + 900)), routing.Task(2, SERVICE)]
    route = routing.follow(travel, 0, 0, tasks, [0, 1])
    first, second = route.visits
    assert (first.arrival_s, first.start_s, first.leg_m) == (600, HOUR, 6000)
    assert (second.arrival_s, second.start_s) == (HOUR + SERVICE + 300, HOUR + SERVICE + 300)
    assert route.finish_s == second.start_s + SERVICE + 900
    assert (route.travel_s, route.distance_m) == (1800, 18000)
    assert routing.follow(travel, 0, None, tasks, [1]).unassigned == [0]


def test_straight_line_travel_is_the_great_circle_times_the_road_factor_at_the_speed():
    travel = routing.straight_line([(31.0, 121.0), (31.0, 121.1)], road_factor=1.5,
                                   speed_kmh=36)
    # 0.1 degree of longitude at 31 N is 9,531 m
    assert travel.metres[0][1] == round(9531 * 1.5) == travel.metres[1][0]
    assert travel.seconds[0][1] == round(travel.metres[0][1] / 10)
    assert travel.metres[0][0] == 0 and travel.source == "straight_line"
