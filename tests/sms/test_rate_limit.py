import time

import pytest

from sms.rate_limit import LocalBucket, RedisBucket, take


def test_local_bucket_spaces_tokens_at_the_rate():
    bucket = LocalBucket(rate=2)
    assert bucket.try_take() == 0
    wait = bucket.try_take()
    assert 0 < wait <= 0.5


@pytest.mark.redis
def test_redis_bucket_is_shared_by_every_client(redis_url):
    key = f"test-bucket-{time.time_ns()}"
    one, two = RedisBucket(redis_url, key, rate=1), RedisBucket(redis_url, key, rate=1)
    assert one.try_take() == 0
    assert 0 < two.try_take() <= 1.0, "the second worker must wait for the same bucket"


@pytest.mark.redis
def test_take_gives_up_at_the_deadline(redis_url):
    bucket = RedisBucket(redis_url, f"test-bucket-{time.time_ns()}", rate=0.01)
    assert take(bucket, deadline=time.monotonic() + 1)
    assert not take(bucket, deadline=time.monotonic() + 0.05)
