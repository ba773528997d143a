"""Running pieces of code at the same moment on separate database connections,
to show what PostgreSQL's locks and constraints decide."""

import threading
from collections.abc import Callable

from django.db import connection


def run_together(*calls: Callable[[], object]) -> list[object]:
    """Start every call at once, each in its own thread; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
