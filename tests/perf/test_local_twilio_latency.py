from devtools.local_twilio import _Handler


def test_kept_alive_requests_are_not_held_back_by_nagle():
    # Headers and body are written separately; with Nagle's algorithm on, every
    # request after the first on a kept-alive connection waited ~40 ms for the
    # client's delayed ACK, which made benchmarks measure the test server
    # (docs/performance.md). The speed itself is measured by `make bench`.
    assert _Handler.disable_nagle_algorithm is True
