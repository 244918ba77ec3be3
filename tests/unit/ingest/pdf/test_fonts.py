"""Glyph names from Type 1 font programs (the names of CMEX glyphs without Unicode values)."""

from __future__ import annotations

import pytest

from scipix_search.ingest.pdf._fonts import type1_glyph_names


def _eexec(plain: bytes) -> bytes:
    """Encrypt as the Type 1 format does (key 55665, four lead bytes)."""
    key, out = 55665, bytearray()
    for byte in b"\x00\x00\x00\x00" + plain:
        cipher = byte ^ (key >> 8)
        out.append(cipher)
        key = ((cipher + key) * 52845 + 22719) & 0xFFFF
    return bytes(out)


PRIVATE = (
    b"dup /Private 8 dict dup begin /RD{string currentfile exch readstring pop}executeonly def\n"
    b"2 index /CharStrings 4 dict dup begin\n"
    b"/.notdef 5 RD \x01/a 1 RD ND\n"  # binary charstrings may look like names; skipped by length
    b"/bracketleftbig 4 RD \x8b\x8c\x0d\x0e ND\n"
    b"/bracketrightbig 3 -| \x8b\x0d\x0e |-\n"
    b"/summationdisplay 2 RD \x8b\x0e ND\n"
    b"end\nend\n"
)
CLEAR = (
    b"%!PS-AdobeFont-1.0: CMEX10 003.002\n/Encoding 256 array\nreadonly def\ncurrentfile eexec\n"
)


@pytest.mark.parametrize("hexadecimal", [False, True])
def test_glyph_order_from_encrypted_charstrings(hexadecimal: bool) -> None:
    encrypted = _eexec(PRIVATE)
    body = encrypted.hex().encode() if hexadecimal else encrypted
    names = type1_glyph_names(CLEAR + body + b"\n" + b"0" * 64 + b"\ncleartomark\n")
    assert names == [".notdef", "bracketleftbig", "bracketrightbig", "summationdisplay"]


def test_not_a_type1_program() -> None:
    assert type1_glyph_names(b"\x00\x01\x00\x00 a TrueType font") == []
    assert type1_glyph_names(CLEAR + _eexec(b"no charstrings here")) == []
