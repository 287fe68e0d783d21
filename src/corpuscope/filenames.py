"""File names as a POSIX file system hands them over: bytes, shown as readable text.

A name on Linux is any bytes but ``/`` and NUL: not always UTF-8 (``caf\\xe9.jpg``, made on old
Windows and Mac systems), with newlines, quotes, emoji or backslashes. Python gives such a name
as a ``str`` in which each byte that is not UTF-8 becomes a lone surrogate (``os.fsdecode``); that
string opens the file again, but cannot be written to SQLite, JSON or a terminal as it is.

corpuscope therefore keeps two forms of every folder and file path:

- the **bytes**, exactly as the file system has them (stored; used to open the file again);
- the **shown name** (:func:`format_name`): the name decoded as UTF-8, where each byte that is
  not UTF-8 and each control character (a newline, a tab) is written ``\\xNN`` in hexadecimal,
  so ``caf\\xe9.jpg`` and ``two\\x0alines.jpg``. Everything else shows as it is, backslashes
  included; a backslash is written twice only where it would otherwise read as the start of an
  escape (before another backslash or before ``xNN``). The shown name is therefore one-to-one
  with the bytes (:func:`parse_name` gives them back), which makes it a safe key for look-ups
  and for CSV files.
"""

from __future__ import annotations

import os
import re

_HEX = "0123456789abcdefABCDEF"
_ESCAPE = re.compile(r"\\(\\|x[0-9a-fA-F]{2})")


def name_bytes(name: str | bytes | os.PathLike[str]) -> bytes:
    """The bytes of a path as the file system has them (``str`` paths from ``os.fsdecode``)."""
    return os.fsencode(name)


def name_text(raw: bytes) -> str:
    """A path string that opens the file named by ``raw`` (undecodable bytes as surrogates)."""
    return os.fsdecode(raw)


def format_name(name: str | bytes | os.PathLike[str]) -> str:
    """The readable, one-to-one text of a file name or path (see the module's docstring)."""
    text = os.fsencode(name).decode("utf-8", "surrogateescape")
    out: list[str] = []
    for index, char in enumerate(text):
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif char == "\\" and _starts_escape(text, index + 1):
            out.append("\\\\")
        else:
            out.append(char)
    return "".join(out)


def _starts_escape(text: str, index: int) -> bool:
    """Whether the shown form of ``text[index:]`` starts like an escape (``\\`` or ``xNN``)."""
    if index >= len(text):
        return False
    char = text[index]
    code = ord(char)
    if char == "\\" or 0xDC80 <= code <= 0xDCFF or code < 0x20 or code == 0x7F:
        return True
    return (
        char == "x"
        and len(text) >= index + 3
        and all(c in _HEX for c in text[index + 1 : index + 3])
    )


def parse_name(shown: str) -> bytes:
    """The bytes of a name from its shown form: the inverse of :func:`format_name`."""
    out = bytearray()
    position = 0
    for match in _ESCAPE.finditer(shown):
        out += shown[position : match.start()].encode("utf-8", "surrogateescape")
        escape = match.group(1)
        out += b"\\" if escape == "\\" else bytes([int(escape[1:], 16)])
        position = match.end()
    out += shown[position:].encode("utf-8", "surrogateescape")
    return bytes(out)
