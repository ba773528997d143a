"""The global send rate: at most SMS_MESSAGES_PER_SECOND through one sender,
across every worker. Celery's own rate_limit is per worker, so the bucket
lives in Redis (one Lua script, Redis's clock). Without Redis (the embedded
mode) one process sends, and a bucket in memory is enough.
"""

import threading
import time

import redis
from django.conf import settings

# Refill `rate` tokens a second up to a burst of 1: messages leave evenly spaced,
# which is what carriers measure.
TOKEN_BUCKET = """
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', key, 3600)
return tostring(wait)
"""


class RedisBucket:
    def __init__(self, url: str, key: str, rate: float, burst: float = 1.0):
        self.client = redis.Redis.from_url(url, socket_timeout=5)
        self.script = self.client.register_script(TOKEN_BUCKET)
        self.key = key
        self.rate = rate
        self.burst = burst

    def try_take(self) -> float:
        """Take a token if there is one: 0.0. Otherwise how long to wait, in seconds."""
        return float(self.script(keys=[self.key], args=[self.rate, self.burst]))


class LocalBucket:
    def __init__(self, rate: float, burst: float = 1.0):
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.at = time.monotonic()
        self.lock = threading.Lock()

    def try_take(self) -> float:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) / self.rate


def take(bucket, deadline: float) -> bool:
    """Wait for a token until `deadline` (time.monotonic()); False if none came."""
    while True:
        wait = bucket.try_take()
        if wait <= 0:
            return True
        if time.monotonic() + wait > deadline:
            return False
        time.sleep(wait)


_local_buckets: dict[str, LocalBucket] = {}


def sender_bucket():
    sender = settings.TWILIO_MESSAGING_SERVICE_SID or settings.TWILIO_FROM_NUMBER or "console"
    rate = settings.SMS_MESSAGES_PER_SECOND
    if settings.REDIS_URL:
        return RedisBucket(settings.REDIS_URL, f"sms-rate:{sender}", rate)
    if sender not in _local_buckets or _local_buckets[sender].rate != rate:
        _local_buckets[sender] = LocalBucket(rate)
    return _local_buckets[sender]
