import pytest

from alerts.review import percentile


@pytest.mark.parametrize(
    "values, share, expected",
    [
        ([], 0.9, None),
        ([5], 0.9, 5),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9),
        ([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 0.9, 9),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9, 10),
        ([1, 2], 0.5, 1),
        ([30.5, 60.0, 900.0], 0.9, 900.0),
    ],
)
def test_nearest_rank_percentile(values, share, expected):
    assert percentile(values, share) == expected
