"""The project's Celery app, started as a real worker by tests/faults/test_worker_killed.py.

It reports what it does on a Redis list the test blocks on (``BLPOP``): ready, and each
task's start and end with its arguments and the process id, so the test knows which
process to kill and when a task has finished, without waiting on the clock.
"""

import json
import os

import redis
from celery.signals import task_postrun, task_prerun, worker_ready

from config.celery import app

__all__ = ["app"]

_redis = redis.Redis.from_url(os.environ["FAULT_TEST_REDIS"])
_key = os.environ["FAULT_TEST_KEY"]


def _say(**what):
    _redis.rpush(_key, json.dumps(what))


@worker_ready.connect
def _ready(**_):
    _say(phase="ready", pid=os.getpid())


@task_prerun.connect
def _started(task=None, args=None, **_):
    _say(phase="pre", task=task.name, args=list(args or ()), pid=os.getpid())


@task_postrun.connect
def _finished(task=None, args=None, state=None, **_):
    _say(phase="post", task=task.name, args=list(args or ()), state=state, pid=os.getpid())
