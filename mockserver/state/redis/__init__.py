"""The mock's state on Redis (``--state redis://HOST:PORT/DB``), for a fleet of servers."""

from mockserver.state.redis.store import RedisStore

__all__ = ["RedisStore"]
