"""The pix2tex LaTeX tokenizer (a byte-level BPE in ``tokenizer.json``) and LaTeX cleaning."""

from __future__ import annotations

import logging
import re
from pathlib import Path

logger = logging.getLogger(__name__)

_STYLE_WRAPPERS = re.compile(
    r"\\(?:displaystyle|textstyle|scriptstyle|scriptscriptstyle)(?![a-zA-Z])"
)
_TEXT_GROUP = re.compile(r"\\(?:operatorname|mathrm|text|mathbf)\s?\*? {.*?}")
_LETTER, _NOLETTER = "[a-zA-Z]", r"[\W_^\d]"
#: LaTeX tokens: a command, an escaped symbol, or any one non-space character.
_TOKEN = re.compile(r"\\[a-zA-Z]+\*?|\\.|[^\s]")


class LatexTokenizer:
    """Map token ids to LaTeX with the pix2tex tokenizer (``tokenizers`` library, no torch).

    Args:
        path: The ``tokenizer.json`` file shipped in the pix2tex wheel.
    """

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(path))
        self.vocab_size = self._tok.get_vocab_size()

    def encode(self, latex: str) -> list[int]:
        """Token ids of ``latex`` (without BOS/EOS)."""
        return list(self._tok.encode(latex).ids)

    def decode(self, ids: list[int]) -> str:
        """LaTeX of token ids, as pix2tex's ``token2str`` writes it (special tokens dropped)."""
        ids = [i for i in ids if i > 2]
        text = self._tok.decode(ids, skip_special_tokens=True)
        return "".join(text.split(" ")).replace("Ġ", " ").strip()


def clean_latex(latex: str) -> str:
    """Drop style wrappers and normalise spacing (pix2tex's ``post_process`` rules).

    Spaces are kept only where they separate letters (``\\alpha x``), so the output is both
    compact and unambiguous.

    Example:
        >>> clean_latex(r"\\textstyle { x ^ { 2 } + \\alpha b }")
        '{x^{2}+\\\\alpha b}'
    """
    latex = _STYLE_WRAPPERS.sub(" ", latex)
    names = [m.replace(" ", "") for m in _TEXT_GROUP.findall(latex)]
    latex = _TEXT_GROUP.sub(lambda _: names.pop(0), latex)
    result = latex
    while True:
        latex = result
        result = re.sub(rf"(?!\\ )({_NOLETTER})\s+?({_NOLETTER})", r"\1\2", latex)
        result = re.sub(rf"(?!\\ )({_NOLETTER})\s+?({_LETTER})", r"\1\2", result)
        result = re.sub(rf"({_LETTER})\s+?({_NOLETTER})", r"\1\2", result)
        if result == latex:
            break
    return re.sub(r"\s+", " ", result).strip()


def latex_tokens(latex: str) -> list[str]:
    """Split LaTeX into tokens (commands, escaped symbols, single characters), dropping style
    wrappers and thin spaces so that equivalent spellings compare equal.

    Example:
        >>> latex_tokens(r"\\displaystyle \\frac{a}{b}\\,")
        ['\\\\frac', '{', 'a', '}', '{', 'b', '}']
    """
    latex = _STYLE_WRAPPERS.sub(" ", latex)
    return [t for t in _TOKEN.findall(latex) if t not in {"\\,", "\\;", "\\!", "\\:", "\\ ", "~"}]
