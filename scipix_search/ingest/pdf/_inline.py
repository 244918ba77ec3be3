"""Inline math: formulas set inside prose lines (``$x_i^2$``), read from the text layer.

In a line of prose, TeX sets math in math fonts (``CMMI``, ``NewTXMI``, Unicode math
alphanumerics), with symbols (``=``, ``≤``, ``∑``) and scripts at smaller sizes; the words
around it are in text fonts. A *span* is a run of such glyphs with the digits, brackets and
operators of text fonts that sit between them (``$f(2)$`` prints its ``(2)`` in the roman
font). Each span becomes an :class:`EquationRegion` with ``display=False``: its LaTeX is
the glyph rebuild (no OCR: an inline crop is a few glyphs, which the text layer knows
exactly).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from scipix_search.ingest.pdf._accents import group_wide_accents
from scipix_search.ingest.pdf._delimiters import group_delimited, hanging_extent
from scipix_search.ingest.pdf._families import is_italic_font, is_named_bold, is_sans_font
from scipix_search.ingest.pdf._glyphs import (
    ACCENTS,
    Bar,
    Glyph,
    accent_over,
    bars_among,
    glyphs_to_latex,
    median,
)
from scipix_search.ingest.pdf._lines import Line
from scipix_search.ingest.pdf._radicals import group_radicals, radical_extent
from scipix_search.ingest.pdf._regions import EquationRegion
from scipix_search.math import FUNCTION_NAMES

# text-font characters that belong to a formula when math glyphs stand on both sides
_JOINERS = frozenset("0123456789()[]{}+-=/.,;:|'*<>!−")
# punctuation of the sentence that a span must not end (or start) with
_TRIM = frozenset(".,;:")
# relations, which TeX sets between stretchable thick spaces (``:`` is one: ``f : A \to B``)
RELATIONS = frozenset("=<>≤≥≠≈≡∼≃∝∈∉∋⊂⊆⊃⊇→←↦⇒⇔≪≫≲≳⩽⩾≅≔:⊢⊨⊣")
# a gap wider than this (em of the line's text size) is a word space: math is set tighter
_MAX_GAP = 0.45


def visual_lines(lines: list[Line]) -> list[list[Glyph]]:
    """The glyphs of each typeset line, put back together.

    The text layer breaks a line into pieces wherever the baseline moves: a superscript, the
    numerator and denominator of ``$\\frac{a}{b}$``, a big operator. Pieces whose main
    baselines agree are one line; a small piece (a script, an operator) joins the line whose
    band holds most of it. Larger pieces go first, so that they set the lines the small ones
    join.
    """
    groups: list[tuple[float, float, list[Glyph]]] = []  # (baseline, size, glyphs)
    for ln in sorted(lines, key=lambda ln: -len(ln.glyphs)):
        base, size = _main_baseline(ln.glyphs)
        target = next(
            (m for g_base, g_size, m in groups if abs(g_base - base) <= 0.3 * g_size), None
        )
        if target is None:
            share, members = max(
                ((_band_share(ln, g_base, g_size, m), m) for g_base, g_size, m in groups),
                key=lambda t: t[0],
                default=(0.0, []),
            )
            target = members if share >= 0.6 else None
        if target is not None:
            target.extend(ln.glyphs)
        else:
            groups.append((base, size, list(ln.glyphs)))
    return [members for _, _, members in sorted(groups, key=lambda t: t[0])]


def _main_baseline(glyphs: list[Glyph]) -> tuple[float, float]:
    size = max(g.size for g in glyphs)
    return median([g.base for g in glyphs if g.size >= 0.9 * size]), size


def _band_share(ln: Line, base: float, size: float, members: list[Glyph]) -> float:
    """How much of a piece of a few glyphs beside or inside a line lies within its band."""
    if len(ln.glyphs) > 4:
        return 0.0
    x0, y0, x1, y1 = ln.bbox
    left, right = min(g.x0 for g in members), max(g.x1 for g in members)
    if not (left - size <= x0 and x1 <= right + size):
        return 0.0
    top, bottom = base - 0.9 * size, base + 0.35 * size
    extents = [(y0, y1)]
    if len(ln.glyphs) == 1:
        # a radical sign or a ``\\big`` delimiter hangs from its baseline: its drawn height,
        # where the text layer's box is the font's (three times taller, or above the line)
        g = ln.glyphs[0]
        extents += [e for e in (hanging_extent(g), radical_extent(g)) if e is not None]
    return max((min(b, bottom) - max(t, top)) / max(b - t, 1e-6) for t, b in extents)


def inline_spans(glyphs: list[Glyph], *, math_commas: bool = False) -> list[list[Glyph]]:
    """The runs of math glyphs in one prose line, left to right (see the module docstring).

    ``math_commas``: the page's formulas take their commas from a math font (see
    :func:`_prose_comma`), so an upright text-font comma is the sentence's.
    """
    visible = sorted((g for g in glyphs if g.c.strip()), key=lambda g: g.x0)
    # an accent (``\\hat{p}`` prints a text-font ``ˆ`` over the p) joins the span of the
    # glyph under it afterwards: read in line order, it would cut the span in two
    accents = [g for g in visible if g.c in ACCENTS]
    visible = [g for g in visible if g.c not in ACCENTS]
    if not visible:
        return []
    text_size = median([g.size for g in visible if not g.is_math] or [visible[0].size])
    letters = _letter_runs(visible)
    # a justified line stretches its math spaces with its word spaces: a gap is judged
    # against this line's word space, not only against the em
    word_space = _word_space(visible, text_size)
    max_gap = max(_MAX_GAP * text_size, 1.5 * word_space)
    named = _named_functions(visible, max_gap) | _words_before_math(visible, letters, word_space)
    base = median([g.base for g in visible if g.size >= 0.95 * text_size] or [visible[0].base])
    named |= _sans_math(visible, letters, text_size, base)
    named |= _text_font_operands(visible, letters, max_gap)
    spans: list[list[Glyph]] = []
    run: list[Glyph] = []
    last = visible[0]  # the run's first glyph reaching furthest right, kept as it grows
    for i, g in enumerate(visible):
        core = _core(g, run, text_size, base) or _text_font_math(g, letters) or id(g) in named
        joiner = (
            not core and g.c in _JOINERS and bool(run) and not (math_commas and _prose_comma(g))
        )
        near = not run or g.x0 - last.x1 <= _gap_limit(last, g, max_gap)
        if (core or joiner) and near:
            if not run:
                run = _lead(visible, i, text_size, letters)
                last = max(run, key=_right, default=g)
            run.append(g)
            if g.x1 > last.x1:
                last = g
        else:
            spans.append(run)
            run = _lead(visible, i, text_size, letters) + [g] if core else []
            if run:
                last = max(run, key=_right)
    spans.append(run)
    found = [
        s
        for s in (_trim(run) for run in spans)
        if s
        and any(_core(g, [], 0) or _text_font_math(g, letters) or id(g) in named for g in s)
        and any(g.c.isalnum() or g.name == "atom" for g in s)  # not a lone comma or operator
    ]
    for acc in accents:
        span = next((s for s in found if any(accent_over(acc, g) for g in s)), None)
        if span is not None:
            span.append(acc)
    return found


def _lead(visible: list[Glyph], i: int, text_size: float, letters: dict[int, int]) -> list[Glyph]:
    """Text-font glyphs that a span starting at ``visible[i]`` takes in front of it.

    ``$(x, y)$`` prints its opening bracket in the text font; ``$1 = 0$`` and
    ``$0.64 \\pm 0.01$`` print the number before the relation or operator in it: digits set
    tight before a formula that opens with an operator are the formula's (a number before a
    letter is left alone: ``step 3 $x$`` is prose then math).
    """
    g = visible[i]
    lead: list[Glyph] = []
    if i > 0 and _opens(visible[i - 1], g, text_size):
        return [visible[i - 1]]
    if i > 0 and _decimal_point(visible[i - 1], g, text_size):
        # TeX sets the point of ``$0.25$`` in the math italic, its digits in the roman: the
        # digits before it are the number's whole part (never a word's last letters)
        j = i - 1
        while (
            j > 0
            and visible[j - 1].c.isdigit()
            and visible[j].x0 - visible[j - 1].x1 < 0.1 * text_size
        ):
            j -= 1
        if (
            j > 0
            and visible[j].x0 - visible[j - 1].x1 < 0.1 * text_size
            and visible[j - 1].c.isalpha()
        ):
            return []
        return visible[j:i]
    if i > 0 and _script_base(visible[i - 1], g, text_size, letters):
        # a span that opens with a script has its base in the text font: the upright
        # ``e`` of ``$\\mathrm{e}^{+}$``, the ``10`` of ``$10^{-3}$``
        j = i - 1
        while j > 0 and visible[j].c.isdigit() and visible[j - 1].c in "0123456789.":
            j -= 1
        return visible[j:i]
    if g.c.isalnum() or g.name == "atom" or g.c in _TRIM or g.c in "([{":
        return lead
    j, right = i - 1, g
    while j >= 0:
        h = visible[j]
        if h.is_math or not (h.c.isdigit() or h.c == ".") or right.x0 - h.x1 > 0.4 * text_size:
            break
        lead.insert(0, h)
        j, right = j - 1, h
    # a number is whole or not taken: ``2.5`` not ``.5``, and never a word's last letters
    if lead and (j >= 0 and right.x0 - visible[j].x1 < 0.1 * text_size and visible[j].c.isalpha()):
        return []
    while lead and lead[0].c == ".":
        lead = lead[1:]
    return lead


def _decimal_point(h: Glyph, g: Glyph, text_size: float) -> bool:
    """``g`` is a math font's point or comma set tight after ``h``, a text-font digit."""
    return (
        g.is_math
        and g.c in ".,"
        and not h.is_math
        and h.c.isdigit()
        and g.x0 - h.x1 < 0.1 * text_size
    )


def _script_base(h: Glyph, g: Glyph, text_size: float, letters: dict[int, int]) -> bool:
    """``g`` is a script set tight on ``h``, a text-font digit or lone letter (not the end
    of a word: a footnote mark or ``word$^*$`` has a word before it)."""
    return (
        not h.is_math
        and (h.c.isdigit() or h.c.isalpha() and letters.get(id(h), 9) == 1)
        and g.size < 0.8 * text_size <= 1.1 * h.size
        and g.x0 - h.x1 < 0.1 * text_size
        and abs(g.base - h.base) > 0.1 * text_size
    )


def _named_functions(visible: list[Glyph], max_gap: float) -> set[int]:
    """Text-font words that TeX's named functions print (``\\arctan``, ``\\log``, ``\\max``)
    set next to math glyphs: ``$2^{-n}\\arctan(f(n))$`` prints ``arctan`` in the roman font,
    which would cut the span in two. A word alone in prose (``the max of``) has no math
    glyph within a math space of it and stays prose."""
    out: set[int] = set()
    k = 0
    while k < len(visible):
        g = visible[k]
        end = k
        while (
            end + 1 < len(visible)
            and visible[end + 1].c.isalpha()
            and visible[end + 1].font == g.font
            and visible[end + 1].x0 - visible[end].x1 < 0.12 * g.size
        ):
            end += 1
        word = "".join(h.c for h in visible[k : end + 1])
        if g.c.isalpha() and not g.is_math and end > k and word in FUNCTION_NAMES:
            before = visible[k - 1] if k > 0 else None
            after = visible[end + 1] if end + 1 < len(visible) else None
            gap_after = after.x0 - visible[end].x1 if after is not None else max_gap + 1
            # ``\\log(x)`` sets its bracket tight; prose puts a space before one
            if (
                (before is not None and before.is_math and g.x0 - before.x1 <= max_gap)
                or (after is not None and after.is_math and gap_after <= max_gap)
                or (after is not None and after.c == "(" and gap_after < 0.1 * g.size)
            ):
                out |= {id(h) for h in visible[k : end + 1]}
        k = end + 1
    return out


def _words_before_math(
    visible: list[Glyph], letters: dict[int, int], word_space: float
) -> set[int]:
    """Text-font words set tight before math (ids of their glyphs): ``\\text{Tr}(\\sigma_i)``,
    ``\\text{Poisson}(\\lambda)``, ``\\mathsf{Sub}\\Gamma``. TeX sets every word space of
    a line at the same stretch, and math puts no space (or a thin one, 1/6 em) between a word
    and what follows it: a word whose gap to a math glyph, or to a bracket opening math, is
    well under the line's word space and under 0.2 em is the formula's. A line whose word
    spaces cannot be measured is left alone. A word of the body font after math is prose
    (``$n$th``), but a sans word in a serif line is ``\\mathsf`` on either side
    (``\\Gamma\\mathsf{Nat}``)."""
    out: set[int] = set()
    if word_space <= 0:
        return out
    fonts = Counter(g.font for g in visible if g.c.isalpha() and not g.is_math)
    serif = bool(fonts) and not is_sans_font(fonts.most_common(1)[0][0])
    for i, end in _text_words(visible, letters):
        g = visible[i]
        nxt = visible[end] if end < len(visible) else None
        prev = visible[i - 1] if i > 0 else None
        # on the word's baseline and at its size: a script after a word is a footnote or an
        # affiliation mark (``Name$^{a}$``)
        if nxt is not None and _tight_math(visible[end - 1], nxt, g, word_space):
            after = visible[end + 1] if end + 1 < len(visible) else None
            # the bracket opens math when a math glyph follows it, or a letter alone of the
            # text italic (Times and Palatino math: ``\\text{Poisson}(T)``)
            opens = (
                nxt.c in "(["
                and after is not None
                and (after.is_math and after.c not in _TRIM or _text_font_math(after, letters))
            )
            if (nxt.is_math and (nxt.c.isalpha() or nxt.c in "([")) or opens:
                out |= {id(h) for h in visible[i:end]}
        # a relation's thick spaces on either side (``\\mathsf{Con} \\rightarrow \\mathsf{Set}``)
        relation_gap = 2 * max(_MAX_GAP * g.size, 1.5 * word_space)
        if (
            serif
            and is_sans_font(g.font)
            and (
                prev is not None
                and prev.is_math
                and (
                    prev.c.isalnum()
                    and _tight_math(prev, g, g, word_space)
                    or prev.c in RELATIONS
                    and g.x0 - prev.x1 <= relation_gap
                )
                or nxt is not None
                and nxt.c in RELATIONS
                # a text-font colon set tight is the sentence's (``\\textsf{Note}:``)
                and (nxt.is_math or nxt.x0 - visible[end - 1].x1 > 0.1 * g.size)
                and nxt.x0 - visible[end - 1].x1 <= relation_gap
            )
        ):
            out |= {id(h) for h in visible[i:end]}
    return out


def _text_words(visible: list[Glyph], letters: dict[int, int]) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each word of two or more text-font letters, left to right."""
    i = 0
    while i < len(visible):
        g = visible[i]
        run = letters.get(id(g), 0)
        if g.is_math or not g.c.isalpha() or run < 2:
            i += 1
            continue
        yield i, i + run
        i += run


def _tight_math(a: Glyph, b: Glyph, word: Glyph, word_space: float) -> bool:
    """``b`` follows ``a`` closer than a word space, at the word's size on its baseline."""
    return (
        b.x0 - a.x1 < min(0.6 * word_space, 0.2 * word.size)
        and min(a.size, b.size) >= 0.9 * word.size
        and abs(b.base - a.base) < 0.1 * word.size
    )


def _right(g: Glyph) -> float:
    return g.x1


def _gap_limit(last: Glyph, g: Glyph, max_gap: float) -> float:
    """The widest gap that still joins ``g`` to a run whose glyph reaching furthest right is
    ``last``: twice the usual beside a relation.

    TeX sets a relation (``=``, ``<``, ``\\in``) between thick spaces that stretch as much as
    they are wide, more than word spaces do, so a loose justified line opens ``$a < f$``
    wider than its words; a relation neither ends nor starts a formula.
    """
    if last.c in RELATIONS or g.c in RELATIONS:
        return 2 * max_gap
    return max_gap


def _word_space(glyphs: list[Glyph], text_size: float) -> float:
    """The line's typical space between words: gaps before a text-font letter of a word."""
    gaps = [
        b.x0 - a.x1
        for a, b in zip(glyphs, glyphs[1:], strict=False)
        if not a.is_math
        and not b.is_math
        and b.c.isalpha()
        and 0.15 * text_size < b.x0 - a.x1 < 1.5 * text_size
    ]
    return median(gaps) if len(gaps) >= 3 else 0.0


def _prose_comma(g: Glyph) -> bool:
    """A comma of the upright text font: on a page whose formulas take their commas from a
    math font, the sentence's, between two formulas (``$D(0)=1$, $f(r)$``). A comma's
    ``\\mathcode`` says which font math takes it from: the math italic in Computer Modern,
    newtx and Libertine, but the upright text font in mathpazo, Fourier and Euler (and the
    text italic in mathptmx), where this tells nothing."""
    return g.c == "," and not g.is_math and not is_italic_font(g.font) and not is_named_bold(g.font)


def _opens(prev: Glyph, g: Glyph, text_size: float) -> bool:
    """``prev`` is a text-font opening bracket set tight before ``g``."""
    return prev.c in "([{" and not prev.is_math and g.x0 - prev.x1 <= 0.2 * text_size


def _letter_runs(glyphs: list[Glyph]) -> dict[int, int]:
    """For each letter, the length of the run of letters of its font set tight with it
    (a word); math letters in text fonts stand alone or in pairs (``x``, ``y_T``)."""
    lengths: dict[int, int] = {}
    run: list[Glyph] = []

    def flush() -> None:
        for g in run:
            lengths[id(g)] = len(run)
        run.clear()

    for g in glyphs:
        if run and (
            not g.c.isalpha()
            or g.font != run[-1].font
            or g.x0 - run[-1].x1 > 0.12 * g.size
            or abs(g.size - run[-1].size) > 0.1 * g.size
        ):
            flush()
        if g.c.isalpha():
            run.append(g)
    flush()
    return lengths


def _sans_math(
    visible: list[Glyph], letters: dict[int, int], text_size: float, base: float
) -> set[int]:
    """``\\mathsf`` in a serif line (ids of its glyphs): its letters come from the sans text
    font, which reads as prose. A sans letter alone (``$\\mathsf{U}_0$``) is math, and so is
    a short sans word with a script set tight after it (``$\\mathsf{Nat}_0$``); the glyph
    LaTeX writes both as ``\\mathsf``. Sans words without scripts are left to the prose
    (``\\textsf``), as is every letter of a line set in a sans.
    """
    fonts = Counter(g.font for g in visible if g.c.isalpha() and not g.is_math)
    if not fonts or is_sans_font(fonts.most_common(1)[0][0]):
        return set()  # a sans body: its letters are prose
    out = visible
    words: set[int] = set()
    i = 0
    while i < len(out):
        g = out[i]
        run = letters.get(id(g), 0)
        if g.is_math or not g.c.isalpha() or not is_sans_font(g.font) or not run:
            i += 1
            continue
        end = i + run  # the word's glyphs are out[i:end] (a run of one font, set tight)
        after = out[end] if end < len(out) else None
        scripted = (
            after is not None
            and after.c.isalnum()
            and after.size < 0.88 * text_size
            and abs(after.base - base) > 0.1 * text_size
            and after.x0 - out[end - 1].x1 < 0.15 * text_size
        )
        if run == 1 or (scripted and run <= 6):
            words |= {id(h) for h in out[i:end]}
        i = end
    return words


# binary operators, which TeX sets between medium spaces with an operand on each side
_OPERATORS = frozenset("+−-×·/∗±∓")


def _text_font_operands(visible: list[Glyph], letters: dict[int, int], max_gap: float) -> set[int]:
    """Products of text-italic or text-bold letters set beside a math operator or relation
    (ids of their glyphs). Fonts whose math takes its letters from the text italic (Times and
    Palatino math) print ``$1+pN$`` or ``$\\mathbf{P} = \\mathbf{Mw}$`` as a short word of
    that font, which :func:`_text_font_math` (a letter alone) leaves to the prose; an operand
    of an operator is math. Only short runs (up to three letters) are taken: an emphasised
    word is set after a word space, never as an operator's operand."""
    out: set[int] = set()
    for i, end in _text_words(visible, letters):
        g = visible[i]
        if end - i <= 3 and (is_italic_font(g.font) or is_named_bold(g.font)):
            prev = visible[i - 1] if i > 0 else None
            nxt = visible[end] if end < len(visible) else None
            if any(
                h is not None
                and h.is_math
                # not the word's own font: ``\\textbf{(dof=72)}`` is prose set in bold
                and h.font != g.font
                and (h.c in _OPERATORS or h.c in RELATIONS)
                and gap <= 2 * max_gap
                and abs(h.base - g.base) < 0.1 * g.size
                for h, gap in (
                    (prev, g.x0 - prev.x1 if prev is not None else 0.0),
                    (nxt, nxt.x0 - visible[end - 1].x1 if nxt is not None else 0.0),
                )
            ):
                out |= {id(h) for h in visible[i:end]}
    return out


def _text_font_math(g: Glyph, letters: dict[int, int]) -> bool:
    """A math letter set in a text font: Times and Palatino math (mathptmx, mathpazo) take
    their italic letters from the text italic, and ``\\mathbf`` its letters from the text
    bold; a letter alone in such a font is a variable, not a word."""
    if not g.c.isalpha() or letters.get(id(g), 9) > 1:
        return False
    return is_italic_font(g.font) or is_named_bold(g.font)


def _core(g: Glyph, run: list[Glyph], text_size: float, base: float | None = None) -> bool:
    """A glyph that is math by itself: a math font or symbol, or a script of the run."""
    if g.is_math:
        return True
    # a small raised or lowered glyph right after math (x_1 with the 1 in a roman font);
    # classes set at 9 pt give scripts 0.8 of the text size (``f_{\rm NL}``: 7.3 / 9 pt),
    # so a glyph nearly that large counts when it sits off the line's baseline
    if not run or not g.c.isalnum():
        return False
    shifted = base is not None and abs(g.base - base) > 0.1 * text_size
    return g.size < 0.8 * text_size or (shifted and g.size < 0.88 * text_size)


def _trim(run: list[Glyph]) -> list[Glyph]:
    """Drop the sentence's punctuation and unbalanced brackets at the ends of a span."""
    # punctuation at an end is the sentence's even in a math font (``$x,$``); a bracket of
    # a math font is the formula's (a half-open interval ``(a, b]``)
    while run and (
        run[-1].c in _TRIM
        # a text-font hyphen or opening bracket ends no formula: ``$(i,j)$-th``, ``$x$ (see``
        or not run[-1].is_math
        and (run[-1].c in "-([{" or _unbalanced(run, ")]}"))
    ):
        run = run[:-1]
    while run and (run[0].c in _TRIM or not run[0].is_math and _unbalanced(run, "([{")):
        run = run[1:]
    return run


def _unbalanced(run: list[Glyph], closers: str) -> bool:
    end = run[-1] if closers == ")]}" else run[0]
    if end.c not in closers:
        return False
    text = "".join(g.c for g in run)
    pairs = {"(": ")", "[": "]", "{": "}"}
    opener = next(k for k, v in pairs.items() if end.c in (k, v))
    return text.count(opener) != text.count(pairs[opener])


def inline_regions(
    page: int, lines: list[list[Glyph]], bars: list[Bar], *, min_glyphs: int = 1
) -> list[EquationRegion]:
    """Inline equations of the given prose lines of one page (1-based ``page``)."""
    out = []
    math_commas = any(g.c == "," and g.is_math for glyphs in lines for g in glyphs)
    for glyphs in lines:
        for span in inline_spans(glyphs, math_commas=math_commas):
            if len(span) < min_glyphs:
                continue
            near = bars_among(span, bars)
            grouped, near = group_radicals(group_wide_accents(span), near)
            grouped = group_delimited(grouped, near)
            latex = glyphs_to_latex(grouped, near)
            if not latex:
                continue
            box = (
                min(g.x0 for g in span),
                min(g.y0 for g in span),
                max(g.x1 for g in span),
                max(g.y1 for g in span),
            )
            out.append(
                EquationRegion(
                    page=page,
                    bbox=box,
                    display=False,
                    text="".join(g.c for g in span),
                    latex=latex,
                    row_latex=[latex],
                    math_score=sum(g.is_math for g in span) / len(span),
                    text_complete=True,
                    has_bars=bool(near),
                )
            )
    return out
