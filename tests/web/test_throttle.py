"""The login backoff as a property: for any history of failures, from any addresses,
an account's owner waits at most the cap, and not at all in a browser it logged in
from before; a guesser gets at most one try per wait."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from web.throttle import Backoff, LoginThrottle, account_key

FREE, BASE, CAP, FORGET = 5, 2.0, 60.0, 3600.0


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _throttle(clock: Clock) -> LoginThrottle:
    return LoginThrottle(per_address=Backoff(10, BASE, 300.0, FORGET, clock),
                         per_account=Backoff(FREE, BASE, CAP, FORGET, clock))


# an attack: (seconds since the previous attempt, address index) per attempt
ATTACKS = st.lists(st.tuples(st.floats(0, 120, allow_nan=False), st.integers(0, 500)), max_size=200)


@settings(max_examples=200, deadline=None)
@given(attack=ATTACKS)
def test_the_owner_of_an_attacked_account_waits_at_most_the_cap(attack: list[tuple[float, int]]) -> None:
    clock = Clock()
    throttle = _throttle(clock)
    for pause, address in attack:
        clock.now += pause
        if throttle.admit(f"198.51.100.{address}", "admin") == 0:
            throttle.failed(f"198.51.100.{address}", "Admin ")  # the same account, however typed
    owner = "10.0.0.1"
    assert throttle.wait(owner, "admin") <= CAP
    assert throttle.wait(owner, "admin", known_device=True) == 0


@settings(max_examples=200, deadline=None)
@given(attack=ATTACKS)
def test_a_guesser_gets_one_try_per_wait(attack: list[tuple[float, int]]) -> None:
    """Counting only the attempts the throttle lets through, no two come closer than the delay
    their failure count demands."""
    clock = Clock()
    throttle = _throttle(clock)
    tried: list[float] = []
    for pause, address in attack:
        clock.now += pause
        if throttle.admit(f"203.0.113.{address}", "victim") == 0:
            tried.append(clock.now)
            throttle.failed(f"203.0.113.{address}", "victim")
    backoff = throttle.per_account
    for n in range(1, len(tried)):
        gap = tried[n] - tried[n - 1]
        assert gap > FORGET or gap >= backoff.delay(n) - 1e-9


@settings(max_examples=100, deadline=None)
@given(earlier=st.integers(FREE, 40), burst=st.integers(2, 64), addresses=st.integers(1, 64))
def test_a_parallel_burst_when_the_wait_ends_gets_one_guess(earlier: int, burst: int, addresses: int) -> None:
    """Requests arriving together (before any of them has failed) are admitted one at a time."""
    clock = Clock()
    throttle = _throttle(clock)
    for i in range(earlier):
        clock.now += throttle.wait(f"192.0.2.{i}", "victim")
        throttle.failed(f"192.0.2.{i}", "victim")
    clock.now += throttle.wait("192.0.2.250", "victim")
    admitted = sum(throttle.admit(f"198.51.100.{i % addresses}", "victim") == 0 for i in range(burst))
    assert admitted == 1


def test_delays_grow_exponentially_up_to_the_cap() -> None:
    backoff = Backoff(FREE, BASE, CAP, FORGET, Clock())
    delays = [backoff.delay(n) for n in range(FREE + 10)]
    assert delays[:FREE] == [0.0] * FREE
    assert delays[FREE:FREE + 4] == [2.0, 4.0, 8.0, 16.0]
    assert max(delays) == CAP and delays == sorted(delays)


def test_a_quiet_name_is_forgotten_and_memory_stays_bounded() -> None:
    clock = Clock()
    backoff = Backoff(1, BASE, CAP, FORGET, clock, max_keys=100)
    backoff.failed("x")
    backoff.failed("x")
    assert backoff.wait("x") > 0
    clock.now += FORGET + 1
    assert backoff.wait("x") == 0
    for i in range(1_000):
        backoff.failed(f"name-{i}")
    assert len(backoff._records) <= 100


def test_names_differing_in_case_or_spaces_share_one_budget() -> None:
    assert account_key("  Admin ") == account_key("admin")
