"""Moved to :mod:`node.net.ratelimit`; this name re-exports it for old imports."""

from node.net.ratelimit import RateLimiter  # noqa: F401
