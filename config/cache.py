"""A Redis cache that a stopped Redis cannot take down: reads miss, writes are dropped, a warning is logged.

Production uses Redis for the broker and the cache (API throttling counts live there). Without this, every
API request answered 500 while Redis was down (bench/faults/run.py redis-down); with it they answer 200 and
throttling pauses until Redis is back.
"""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)
_WARN_EVERY_SECONDS = 30.0


def _degrade(default=None):
    def wrap(method):
        @functools.wraps(method)
        def inner(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except _FAILURES:
                now = time.monotonic()
                if now - self._last_warning > _WARN_EVERY_SECONDS:
                    self._last_warning = now
                    logger.warning("cache: Redis does not answer; serving without the cache")
                return default() if callable(default) else default

        return inner

    return wrap


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        super().__init__(server, params)
        self._last_warning = 0.0

    add = _degrade(False)(RedisCache.add)
    set = _degrade(None)(RedisCache.set)
    touch = _degrade(False)(RedisCache.touch)
    delete = _degrade(False)(RedisCache.delete)
    get_many = _degrade(dict)(RedisCache.get_many)
    has_key = _degrade(False)(RedisCache.has_key)
    set_many = _degrade(list)(RedisCache.set_many)
    delete_many = _degrade(None)(RedisCache.delete_many)
    clear = _degrade(False)(RedisCache.clear)

    def get(self, key, default=None, version=None):
        """A miss (the caller's default) while Redis is down."""
        return _degrade(lambda: default)(RedisCache.get)(self, key, default, version)
