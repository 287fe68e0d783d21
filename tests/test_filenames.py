"""Shown names: readable, and one-to-one with the bytes of any POSIX name."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpuscope.filenames import format_name, name_bytes, name_text, parse_name


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (b"photo.jpg", "photo.jpg"),
        ("été 📷 “quoted” 'x' 100%.jpg".encode(), "été 📷 “quoted” 'x' 100%.jpg"),
        (b"caf\xe9.jpg", "caf\\xe9.jpg"),
        (b"two\nlines\t.jpg", "two\\x0alines\\x09.jpg"),
        (b"-rf --help.jpg", "-rf --help.jpg"),
        (b"windows\\style\\name.jpg", "windows\\style\\name.jpg"),
        (b"looks\\xe9like.jpg", "looks\\\\xe9like.jpg"),
        (b"two\\\\slashes", "two\\\\\\slashes"),
        (b"slash\\\xe9", "slash\\\\\\xe9"),
        (b"ends\\", "ends\\"),
        (b"\x7fdel", "\\x7fdel"),
    ],
)
def test_names_show_readably(raw: bytes, shown: str) -> None:
    assert format_name(raw) == shown
    assert parse_name(shown) == raw


def test_str_paths_from_the_file_system_show_like_their_bytes() -> None:
    text = os.fsdecode(b"/data/caf\xe9/x.jpg")
    assert format_name(text) == "/data/caf\\xe9/x.jpg"
    assert name_bytes(text) == b"/data/caf\xe9/x.jpg"
    assert name_text(b"/data/caf\xe9/x.jpg") == text


@given(st.binary(max_size=64))
def test_any_bytes_come_back_from_their_shown_name(raw: bytes) -> None:
    shown = format_name(raw)
    assert parse_name(shown) == raw
    shown.encode("utf-8")  # always storable as text: no lone surrogates
    assert not any(ord(char) < 0x20 for char in shown)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=40))
def test_ordinary_names_show_as_they_are(name: str) -> None:
    if "\\" not in name:
        assert format_name(name.encode()) == name
