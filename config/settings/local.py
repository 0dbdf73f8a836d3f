"""Developer machine: DEBUG on, everything else from base defaults."""

from .base import *  # noqa: F403
from .base import env

# Webhooks may post to a receiver on this machine (production refuses loopback).
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=True)
