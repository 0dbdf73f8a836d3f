"""Developer machine: DEBUG on, everything else from base defaults."""

from .base import *  # noqa: F403
