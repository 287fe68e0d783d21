import pytest

from corpuscope.errors import InvalidInput
from corpuscope.services.value_types import format_value, normalize_value


@pytest.mark.parametrize(
    ("type_", "raw", "stored"),
    [
        ("number", "3", 3.0),
        ("number", 2.5, 2.5),
        ("checkbox", "yes", 1),
        ("checkbox", False, 0),
        ("date", "1999-12-31", "1999-12-31"),
        ("date", "2020-01-02T03:04:05Z", "2020-01-02T03:04:05+00:00"),
        ("url", "https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("color", "#AABBCC", "#aabbcc"),
        ("text", "  spaced  ", "  spaced  "),
    ],
)
def test_values_are_normalised_and_round_trip_through_text(type_, raw, stored) -> None:
    assert normalize_value(type_, raw) == stored
    assert normalize_value(type_, format_value(type_, stored)) == stored


@pytest.mark.parametrize(
    ("type_", "raw"),
    [
        ("number", "inf"),
        ("number", True),
        ("checkbox", "maybe"),
        ("date", "31/12/1999"),
        ("url", "example.org"),
        ("color", "red"),
        ("text", 5),
        ("tag", "x"),
    ],
)
def test_bad_values_are_refused(type_, raw) -> None:
    with pytest.raises(InvalidInput):
        normalize_value(type_, raw)


def test_numbers_keep_full_precision_in_text() -> None:
    value = 0.1 + 0.2
    assert normalize_value("number", format_value("number", value)) == value
