import time

import requests

from sms.local_twilio import LocalTwilio


def test_kept_alive_requests_are_not_held_back_by_nagle():
    # Headers and body are written separately; with Nagle's algorithm on, every
    # request after the first on a kept-alive connection waited ~40 ms for the
    # client's delayed ACK, which made benchmarks measure the test server.
    with LocalTwilio(auth_token="t") as twilio:
        session = requests.Session()
        url = twilio.base_url + "/2010-04-01/Accounts/AC1/Messages.json"
        form = {"To": "+15555550100", "From": "+15555550000", "Body": "x"}
        session.post(url, data=form, auth=("AC1", "t"))
        started = time.perf_counter()
        for _ in range(20):
            assert session.post(url, data=form, auth=("AC1", "t")).status_code == 201
        assert time.perf_counter() - started < 0.5  # 20 x 40 ms would be 0.8 s
