"""Webhook delivery latency on this machine: from the event being recorded to the receiver
having the request, through the listener, the eager task and a real HTTP POST to
127.0.0.1. Prints the median of 50 (``pytest -s``); fails only if it is absurd."""

import statistics
import time

import pytest

from common.events import event_record
from settlements import services
from tests.integrations.conftest import TODAY, draft, subscribe

pytestmark = pytest.mark.django_db

RUNS = 50


def test_delivery_latency_median(world, receiver, committed):
    statement = draft(world.a.agreement)
    services.statement_issue(statement=statement, issued_on=TODAY, by=world.a.staff)
    subscribe(world.a, receiver.url, ["statement.confirmed"])
    took = []
    for _ in range(RUNS):
        started = time.perf_counter()
        with committed():
            event_record(action="statement.confirmed", obj=statement, agreement=statement.agreement)
        took.append(receiver.received[-1].at - started)
    assert len(receiver.received) == RUNS
    assert len({r.headers["X-Event-Id"] for r in receiver.received}) == RUNS
    median_ms = statistics.median(took) * 1000
    p95_ms = sorted(took)[int(RUNS * 0.95) - 1] * 1000
    print(f"\nwebhook delivery latency over {RUNS}: median {median_ms:.1f} ms, p95 {p95_ms:.1f} ms")
    assert median_ms < 1000
