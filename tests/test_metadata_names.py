"""The metadata fields the importer fills are exactly the ones the front-end names in each
language (a field added on one side only would show its stored English name in French)."""

from __future__ import annotations

import re
from pathlib import Path

from corpuscope.ingest.metadata import FIELD_KEYS

NAMES = Path(__file__).resolve().parents[1] / "frontend" / "src" / "i18n" / "propertyNames.ts"


def test_every_metadata_field_has_a_name_in_the_interface() -> None:
    table = NAMES.read_text(encoding="utf-8")
    named = dict(re.findall(r"^  ([a-z_]+): m\.(metadata_[a-z_]+),$", table, re.M))
    assert set(named) == FIELD_KEYS
    assert all(message == f"metadata_{key}" for key, message in named.items())
