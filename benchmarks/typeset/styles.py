"""Document classes and math font setups of the typeset corpus, and which of them are paired.

Pairing rule (the default grid): every font setup is set in one-column ``article``; every other
class gets its own default font plus two or three setups that papers of that venue really use,
chosen so that every font appears in at least two classes. Classes that load their own fonts
(``acmart``: Libertine text with ``newtxmath[libertine]``) get only those, labelled with the
matching setup name. ``grid="full"`` pairs every class that accepts fonts with every setup.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

_AMS = "\\usepackage{amsmath}\n\\usepackage{amssymb}\n"


@dataclass(frozen=True, slots=True)
class FontSetup:
    """A math (and matching text) font setup: the preamble lines that select it."""

    name: str
    description: str
    preamble: str
    engine: str = "pdflatex"  # the TeX engine the setup needs (xelatex/lualatex: fontspec)


@dataclass(frozen=True, slots=True)
class DocClass:
    """A document class or journal style, with the front matter its papers are written with.

    ``front`` is a template with ``{title}``, ``{abstract}`` and ``{author}``; ``fonts`` are the
    setups paired with it in the default grid, the first being the class's own default.
    """

    name: str
    documentclass: str
    two_column: bool
    front: str
    fonts: tuple[str, ...]
    own_fonts: bool = False  # the class loads amsmath and its fonts itself
    extra: str = ""


FONTS: dict[str, FontSetup] = {
    f.name: f
    for f in (
        FontSetup("cm", "Computer Modern (class default)", ""),
        FontSetup("lm", "Latin Modern", "\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n"),
        FontSetup(
            "newtx",
            "Times: newtxtext + newtxmath",
            "\\usepackage[T1]{fontenc}\n\\usepackage{newtxtext}\n\\usepackage{newtxmath}\n",
        ),
        FontSetup(
            "newpx",
            "Palatino: newpxtext + newpxmath",
            "\\usepackage[T1]{fontenc}\n\\usepackage{newpxtext}\n\\usepackage{newpxmath}\n",
        ),
        FontSetup("mathpazo", "Palatino: mathpazo", "\\usepackage{mathpazo}\n"),
        FontSetup(
            "fourier", "Utopia: fourier", "\\usepackage[T1]{fontenc}\n\\usepackage{fourier}\n"
        ),
        FontSetup("kpfonts", "Kp-Fonts", "\\usepackage[T1]{fontenc}\n\\usepackage{kpfonts}\n"),
        FontSetup(
            "libertine",
            "Libertine + newtxmath[libertine]",
            "\\usepackage[T1]{fontenc}\n\\usepackage{libertine}\n"
            "\\usepackage[libertine]{newtxmath}\n",
        ),
        FontSetup("stix2", "STIX Two", "\\usepackage[T1]{fontenc}\n\\usepackage{stix2}\n"),
        # CM text with Euler math, as Concrete Mathematics-style papers do
        FontSetup("euler", "Euler math: eulervm", "\\usepackage{eulervm}\n"),
        FontSetup("mathptmx", "Times: mathptmx", "\\usepackage{mathptmx}\n"),
    )
}

_PLAIN_FRONT = (
    "\\title{{{title}}}\n\\author{{{author}}}\n\\date{{}}\n\\begin{{document}}\n\\maketitle\n"
    "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n"
)

CLASSES: dict[str, DocClass] = {
    c.name: c
    for c in (
        DocClass("article", "\\documentclass[11pt]{article}", False, _PLAIN_FRONT, tuple(FONTS)),
        DocClass(
            "article2c",
            "\\documentclass[twocolumn]{article}",
            True,
            _PLAIN_FRONT,
            ("cm", "newtx", "stix2"),
        ),
        DocClass(
            "revtex",
            "\\documentclass[aps,prl,twocolumn,superscriptaddress]{revtex4-2}",
            True,
            "\\begin{{document}}\n\\title{{{title}}}\n\\author{{{author}}}\n"
            "\\affiliation{{Department of Physics, Example University}}\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n\\maketitle\n",
            ("cm", "newtx", "mathptmx"),
        ),
        DocClass(
            "amsart",
            "\\documentclass{amsart}",
            False,
            "\\begin{{document}}\n\\title{{{title}}}\n\\author{{{author}}}\n"
            "\\address{{Department of Mathematics, Example University}}\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n\\maketitle\n",
            ("cm", "newpx", "euler", "fourier"),
            # math papers number within sections; the reader must follow it
            extra="\\numberwithin{equation}{section}\n",
        ),
        DocClass(
            "ieeetran",
            "\\documentclass[conference]{IEEEtran}",
            True,
            "\\begin{{document}}\n\\title{{{title}}}\n"
            "\\author{{\\IEEEauthorblockN{{{author}}}\\IEEEauthorblockA{{Example University}}}}\n"
            "\\maketitle\n\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n",
            ("cm", "newtx", "mathptmx"),
        ),
        DocClass(
            "elsarticle",
            "\\documentclass[preprint,12pt]{elsarticle}",
            False,
            "\\begin{{document}}\n\\begin{{frontmatter}}\n\\title{{{title}}}\n"
            "\\author{{{author}}}\n\\address{{Example University}}\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n\\end{{frontmatter}}\n",
            ("cm", "newtx", "lm"),
        ),
        DocClass(
            "llncs",
            "\\documentclass{llncs}",
            False,
            "\\begin{{document}}\n\\title{{{title}}}\n\\author{{{author}}}\n"
            "\\institute{{Example University}}\n\\maketitle\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n",
            ("cm", "mathpazo", "kpfonts"),
        ),
        DocClass(
            "acmsigconf",
            "\\documentclass[sigconf]{acmart}",
            True,
            "\\begin{{document}}\n\\title{{{title}}}\n\\author{{{author}}}\n"
            "\\affiliation{{\\institution{{Example University}}\\city{{City}}\\country{{Country}}}}\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n\\maketitle\n",
            ("libertine",),
            own_fonts=True,
        ),
        DocClass(
            "acmsmall",
            "\\documentclass[acmsmall]{acmart}",
            False,
            "\\begin{{document}}\n\\title{{{title}}}\n\\author{{{author}}}\n"
            "\\affiliation{{\\institution{{Example University}}\\city{{City}}\\country{{Country}}}}\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n\\maketitle\n",
            ("libertine",),
            own_fonts=True,
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Cell:
    """One class x font pairing of the grid."""

    doc_class: DocClass
    font: FontSetup

    @property
    def name(self) -> str:
        return f"{self.doc_class.name}__{self.font.name}"

    @property
    def engine(self) -> str:
        return self.font.engine

    def preamble(self) -> str:
        """Everything before the front matter: class, AMS packages, fonts.

        amssymb comes before the font packages: newtxmath, newpxmath and friends define the
        AMS symbols themselves and refuse to load after it (``\\Bbbk already defined``).
        """
        c = self.doc_class
        if c.own_fonts:
            return f"{c.documentclass}\n{c.extra}"
        return f"{c.documentclass}\n{_AMS}{self.font.preamble}{c.extra}"

    def front_matter(self, title: str, author: str, abstract: str) -> str:
        """``\\begin{document}`` with the title block as papers of this class write it."""
        return self.doc_class.front.format(title=title, author=author, abstract=abstract)

    def check_header(self) -> str:
        """A document up to its first body text, for :class:`FormulaChecker`."""
        front = self.front_matter("Title", "Alex Author", "Text.")
        return f"{self.preamble()}{front}\\section{{Introduction}}\nText.\n"


# Setups and classes the reader was never developed on: ``grid="heldout"`` pairs them, to
# check that a change generalises (none of them is in the default or full grid).
HELDOUT_FONTS: dict[str, FontSetup] = {
    "cochineal": FontSetup(
        "cochineal",
        "Cochineal + newtxmath[cochineal]",
        "\\usepackage[T1]{fontenc}\n\\usepackage{cochineal}\n\\usepackage[cochineal]{newtxmath}\n",
    ),
    "mdcharter": FontSetup(
        "mdcharter",
        "Charter: mathdesign[charter]",
        "\\usepackage[T1]{fontenc}\n\\usepackage[charter]{mathdesign}\n",
    ),
    "libertinus": FontSetup(
        "libertinus",
        "Libertinus: libertinus + libertinust1math",
        "\\usepackage[T1]{fontenc}\n\\usepackage{libertinus}\n\\usepackage{libertinust1math}\n",
    ),
    "cmbright": FontSetup(
        "cmbright", "CM Bright (sans math)", "\\usepackage[T1]{fontenc}\n\\usepackage{cmbright}\n"
    ),
}
_HELDOUT_PAIRS = {
    "scrartcl": ("\\documentclass[11pt]{scrartcl}", False, tuple(HELDOUT_FONTS)),
    "article2c": ("\\documentclass[twocolumn]{article}", True, ("cochineal", "mdcharter")),
}
HELDOUT_CLASSES: dict[str, DocClass] = {
    name: DocClass(name, documentclass, two_column, _PLAIN_FRONT, fonts)
    for name, (documentclass, two_column, fonts) in _HELDOUT_PAIRS.items()
}


# A third set, the development grid for fonts the reader had not seen (``grid="extra"``): none
# of them is in FONTS or HELDOUT_FONTS, and none shares its math fonts with those (mathdesign's
# Utopia is not its Charter's glyphs, txfonts and pxfonts are the older Times and
# Palatino math that newtx and newpx grew out of, with their own encodings and names).
EXTRA_FONTS: dict[str, FontSetup] = {
    f.name: f
    for f in (
        FontSetup(
            "mdutopia",
            "Utopia: mathdesign[utopia]",
            "\\usepackage[T1]{fontenc}\n\\usepackage[utopia]{mathdesign}\n",
        ),
        # URW Garamond (mathdesign[garamond]) is not in Debian's TeX Live: Kerkis (Bookman)
        FontSetup(
            "kerkis",
            "Bookman: kmath + kerkis",
            "\\usepackage[T1]{fontenc}\n\\usepackage{kmath,kerkis}\n",
        ),
        FontSetup(
            "txfonts", "Times: txfonts", "\\usepackage[T1]{fontenc}\n\\usepackage{txfonts}\n"
        ),
        FontSetup(
            "pxfonts", "Palatino: pxfonts", "\\usepackage[T1]{fontenc}\n\\usepackage{pxfonts}\n"
        ),
        FontSetup(
            "fouriernc",
            "New Century Schoolbook: fouriernc",
            "\\usepackage[T1]{fontenc}\n\\usepackage{fouriernc}\n",
        ),
        FontSetup(
            "concmath",
            "Concrete: concmath",
            "\\usepackage[T1]{fontenc}\n\\usepackage{concmath}\n",
        ),
        FontSetup(
            "arev", "Bera Sans math: arev", "\\usepackage[T1]{fontenc}\n\\usepackage{arev}\n"
        ),
        FontSetup(
            "mlmodern",
            "MLModern (heavier CM)",
            "\\usepackage[T1]{fontenc}\n\\usepackage{mlmodern}\n",
        ),
    )
}
_EXTRA_PAIRS = {
    "article": ("\\documentclass[11pt]{article}", False, tuple(EXTRA_FONTS)),
    "article2c": (
        "\\documentclass[twocolumn]{article}",
        True,
        ("mdutopia", "txfonts", "fouriernc", "arev"),
    ),
    "amsart": (
        "\\documentclass{amsart}",
        False,
        ("kerkis", "pxfonts", "concmath", "mlmodern"),
    ),
}
EXTRA_CLASSES: dict[str, DocClass] = {
    name: DocClass(
        name,
        documentclass,
        two_column,
        CLASSES[name].front,
        fonts,
        extra=CLASSES[name].extra,
    )
    for name, (documentclass, two_column, fonts) in _EXTRA_PAIRS.items()
}


# A fourth set, classes the reader had not met (``grid="classes2"``): none of them is in
# CLASSES, HELDOUT_CLASSES or EXTRA_CLASSES (revtex4-1 and IEEEtran's journal mode differ
# from revtex4-2 and its conference mode in title blocks, running heads and footnotes), each
# in Computer Modern and one of newtx / newpx, all from Debian's TeX Live. They were split
# into a development and a held-out half by the parity of the SHA-256 of the name
# (:func:`classes2_half`) before any of them was scored.
def _c2(name: str, documentclass: str, two_column: bool, front: str, font: str) -> DocClass:
    return DocClass(name, documentclass, two_column, front, ("cm", font))


_REVTEX_FRONT = CLASSES["revtex"].front
_AMS_FRONT = CLASSES["amsart"].front
CLASSES2: dict[str, DocClass] = {
    c.name: c
    for c in (
        _c2(
            "mnras",
            "\\documentclass[fleqn]{mnras}",  # MNRAS sets displays flush left
            True,
            "\\title{{{title}}}\n\\author[A. Author]{{{author}$^{{1}}$\\\\\n"
            "$^{{1}}$Department of Physics, Example University}}\n\\begin{{document}}\n"
            "\\maketitle\n\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n"
            "\\begin{{keywords}}\nmethods: analytical\n\\end{{keywords}}\n",
            "newpx",
        ),
        _c2(
            "aastex",
            "\\documentclass[twocolumn]{aastex631}",
            True,
            "\\begin{{document}}\n\\title{{{title}}}\n\\author{{{author}}}\n"
            "\\affiliation{{Department of Astronomy, Example University}}\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n\\keywords{{methods}}\n",
            "newtx",
        ),
        _c2(
            "revtex41",
            "\\documentclass[aip,jcp,reprint]{revtex4-1}",
            True,
            _REVTEX_FRONT,
            "newtx",
        ),
        _c2(
            "ieeejournal",
            "\\documentclass[journal]{IEEEtran}",
            True,
            "\\begin{{document}}\n\\title{{{title}}}\n"
            "\\author{{{author},~\\IEEEmembership{{Member,~IEEE}}"
            "\\thanks{{The author is with Example University.}}}}\n"
            "\\markboth{{Journal of Examples}}{{Author: {title}}}\n\\maketitle\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n"
            "\\begin{{IEEEkeywords}}\nexamples\n\\end{{IEEEkeywords}}\n",
            "newtx",
        ),
        _c2(
            "memoir",
            "\\documentclass[11pt,article,oneside]{memoir}",
            False,
            _PLAIN_FRONT,
            "newpx",
        ),
        _c2("amsproc", "\\documentclass{amsproc}", False, _AMS_FRONT, "newpx"),
        _c2(
            "amsbook",
            "\\documentclass{amsbook}",  # equations numbered within the chapter
            False,
            "\\begin{{document}}\n\\title{{{title}}}\n\\author{{{author}}}\n"
            "\\address{{Department of Mathematics, Example University}}\n\\maketitle\n"
            "\\chapter{{Theory}}\n{abstract}\n",
            "newtx",
        ),
        _c2(
            "els5p",
            "\\documentclass[5p]{elsarticle}",
            True,
            CLASSES["elsarticle"].front,
            "newtx",
        ),
        _c2(
            "achemso",
            "\\documentclass[journal=jacsat,manuscript=article]{achemso}",
            False,
            "\\title{{{title}}}\n\\author{{{author}}}\n"
            "\\affiliation{{Department of Chemistry, Example University}}\n"
            "\\email{{author@example.org}}\n\\begin{{document}}\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n",
            "newtx",
        ),
        _c2(
            "tufte",
            "\\documentclass{tufte-handout}",  # wide margin, sidenotes
            False,
            _PLAIN_FRONT,
            "newpx",
        ),
        _c2(
            "jmlr",
            "\\documentclass{jmlr}",
            False,
            "\\jmlrvolume{{1}}\n\\jmlryear{{2026}}\n\\jmlrworkshop{{Example Workshop}}\n"
            "\\title{{{title}}}\n\\author{{\\Name{{{author}}} \\Email{{author@example.org}}"
            "\\\\\n\\addr Example University}}\n\\begin{{document}}\n\\maketitle\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n",
            "newpx",
        ),
        _c2(
            "nature",
            "\\documentclass{nature}",
            False,
            "\\title{{{title}}}\n\\author{{{author}}}\n\\begin{{document}}\n\\maketitle\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n",
            "newtx",
        ),
    )
}


def classes2_half(name: str) -> str:
    """``"dev"`` or ``"heldout"``: the parity of the SHA-256 of a ``classes2`` class name."""
    return "dev" if int(hashlib.sha256(name.encode()).hexdigest(), 16) % 2 == 0 else "heldout"


# A fifth set, display layouts (``grid="layouts"``): classes already in the grids above with
# the options that move displays and their numbers. ``fleqn`` sets every display at
# ``\mathindent`` from the left margin instead of centring it (MNRAS, many Elsevier, Copernicus
# and Springer setups); ``leqno`` puts equation numbers at the left margin (the AMS classes'
# default, so ``amsart`` here adds ``fleqn``). amsmath takes both from the class options.
# Each in Computer Modern, newtx and one more setup, chosen so that no font repeats too often.
def _layout(
    name: str,
    documentclass: str,
    base: str,
    font: str,
    *,
    extra: str = "",
    two_column: bool = False,
) -> DocClass:
    cls = CLASSES[base]
    return DocClass(
        name,
        documentclass,
        two_column or cls.two_column,
        cls.front,
        ("cm", "newtx", font),
        extra=cls.extra + extra,
    )


LAYOUT_CLASSES: dict[str, DocClass] = {
    c.name: c
    for c in (
        _layout("artfleqn", "\\documentclass[11pt,fleqn]{article}", "article", "kpfonts"),
        _layout("artleqno", "\\documentclass[11pt,leqno]{article}", "article", "newpx"),
        _layout(
            "artfleqnleqno", "\\documentclass[11pt,fleqn,leqno]{article}", "article", "libertine"
        ),
        _layout("amsartfleqn", "\\documentclass[fleqn]{amsart}", "amsart", "newpx"),
        _layout("elsfleqn", "\\documentclass[preprint,12pt,fleqn]{elsarticle}", "elsarticle", "lm"),
        _layout(
            "revtexfleqn",
            "\\documentclass[aps,prl,twocolumn,superscriptaddress,fleqn]{revtex4-2}",
            "revtex",
            "mathptmx",
        ),
        _layout("art2cfleqn", "\\documentclass[twocolumn,fleqn]{article}", "article2c", "stix2"),
        # the indent itself: flush against the margin, and twice article's 2.5em
        _layout(
            "artindent0",
            "\\documentclass[11pt,fleqn]{article}",
            "article",
            "newpx",
            extra="\\setlength{\\mathindent}{0pt}\n",
        ),
        _layout(
            "artindent5em",
            "\\documentclass[11pt,fleqn]{article}",
            "article",
            "fourier",
            extra="\\setlength{\\mathindent}{5em}\n",
        ),
    )
}


# A sixth set, held out from the start (``grid="fresh"``, added 2026-12-04 before any of it
# was scored): classes and math font setups in no grid above, all from Debian's TeX Live.
# Summary figures only; never developed on. URW Garamond (mathdesign), baskervaldx, Heuristica
# (its T2A encoding), GFS Neohellenic (fontspec), svjour3, sn-jnl, iopart and cas-sc are not
# buildable here; quantumarticle wants ``\pdfoutput=1`` in the file's first five lines.
FRESH_FONTS: dict[str, FontSetup] = {
    f.name: f
    for f in (
        FontSetup("cm", "Computer Modern (class default)", ""),
        FontSetup(
            "xcharter",
            "XCharter + newtxmath[xcharter]",
            "\\usepackage[T1]{fontenc}\n\\usepackage{XCharter}\n\\usepackage[xcharter]{newtxmath}\n",
        ),
        FontSetup(
            "erewhon",
            "Erewhon (Utopia) + newtxmath[utopia]",
            "\\usepackage[T1]{fontenc}\n\\usepackage{erewhon}\n\\usepackage[utopia]{newtxmath}\n",
        ),
        FontSetup(
            "ebgaramond",
            "EB Garamond + newtxmath[ebgaramond]",
            "\\usepackage[T1]{fontenc}\n\\usepackage{ebgaramond}\n"
            "\\usepackage[ebgaramond]{newtxmath}\n",
        ),
        FontSetup(
            "stickstoo",
            "STIX-like: stickstootext + newtxmath[stickstoo]",
            "\\usepackage[T1]{fontenc}\n\\usepackage{stickstootext}\n"
            "\\usepackage[stickstoo]{newtxmath}\n",
        ),
        FontSetup(
            "notomath",
            "Noto Serif + its math (notomath)",
            "\\usepackage[T1]{fontenc}\n\\usepackage{notomath}\n",
        ),
        FontSetup(
            "gfsartemisia",
            "GFS Artemisia (gfsartemisia)",
            "\\usepackage[T1]{fontenc}\n\\usepackage{gfsartemisia}\n",
        ),
        FontSetup(
            "cceuler",
            "Concrete text + Euler math",
            "\\usepackage[T1]{fontenc}\n\\usepackage{ccfonts,eulervm}\n",
        ),
        FontSetup(
            "lxfonts",
            "LX fonts (slides sans)",
            "\\usepackage[T1]{fontenc}\n\\usepackage{lxfonts}\n",
        ),
        FontSetup(
            "newtxsf", "sans math: newtxsf", "\\usepackage[T1]{fontenc}\n\\usepackage{newtxsf}\n"
        ),
        FontSetup("boisik", "Baskerville-like: boisik", "\\usepackage{boisik}\n"),
        FontSetup("fdsymbol", "CM letters + fdsymbol symbols", "\\usepackage{fdsymbol}\n"),
        FontSetup("mnsymbol", "CM letters + MnSymbol symbols", "\\usepackage{MnSymbol}\n"),
    )
}
FRESH_CLASSES: dict[str, DocClass] = {
    c.name: c
    for c in (
        DocClass(
            "report",
            "\\documentclass[11pt]{report}",  # numbered within chapters
            False,
            _PLAIN_FRONT + "\\chapter{{Theory}}\n",
            ("cm", "xcharter"),
        ),
        DocClass(
            "aomart",
            "\\documentclass{aomart}",  # Annals of Mathematics
            False,
            "\\title{{{title}}}\n\\author{{{author}}}\n"
            "\\address{{Department of Mathematics, Example University}}\n\\begin{{document}}\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n\\maketitle\n",
            ("fdsymbol", "boisik"),
        ),
        DocClass(
            "emulateapj",
            "\\documentclass{emulateapj}",  # two columns, ApJ preprint style
            True,
            "\\begin{{document}}\n\\title{{{title}}}\n\\author{{{author}}}\n"
            "\\affil{{Department of Astronomy, Example University}}\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n\\keywords{{methods}}\n",
            ("cm", "stickstoo"),
        ),
        DocClass(
            "smfart",
            "\\documentclass{smfart}",  # Société Mathématique de France
            False,
            "\\begin{{document}}\n\\title{{{title}}}\n\\author{{{author}}}\n"
            "\\address{{Example University}}\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n\\maketitle\n",
            ("mnsymbol", "cceuler"),
        ),
        DocClass(
            "ltugboat",
            "\\documentclass{ltugboat}",  # TUGboat: two columns
            True,
            "\\title{{{title}}}\n\\author{{{author}}}\n\\address{{Example University}}\n"
            "\\begin{{document}}\n\\maketitle\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n",
            ("lxfonts", "ebgaramond"),
        ),
        DocClass(
            "ieeeconf",
            "\\documentclass[letterpaper,10pt,conference]{IEEEconf}",
            True,
            "\\title{{{title}}}\n\\author{{{author}}}\n\\begin{{document}}\n\\maketitle\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n",
            ("gfsartemisia", "notomath"),
        ),
        DocClass(
            "extarticle2c",
            "\\documentclass[10pt,twocolumn]{extarticle}",
            True,
            _PLAIN_FRONT,
            ("newtxsf", "erewhon"),
        ),
    )
}


# A seventh set, a development grid (``grid="fonts3"``, 2026-12-04) of math fonts whose
# names say nothing about math: the JMN fonts set their math in fonts named like text
# (``Iwona-Italic``), mathastext takes math letters from the text font, mathpple slants
# Euler, sansmathfonts is a sans Computer Modern. None is in any grid above.
FONTS3: dict[str, FontSetup] = {
    f.name: f
    for f in (
        FontSetup(
            "iwona",
            "Iwona (sans) with its math",
            "\\usepackage[T1]{fontenc}\n\\usepackage[math]{iwona}\n",
        ),
        FontSetup(
            "kurier",
            "Kurier (sans) with its math",
            "\\usepackage[T1]{fontenc}\n\\usepackage[math]{kurier}\n",
        ),
        FontSetup(
            "anttor",
            "Antykwa Torunska with its math",
            "\\usepackage[T1]{fontenc}\n\\usepackage[math]{anttor}\n",
        ),
        FontSetup("mathpple", "Palatino + slanted Euler: mathpple", "\\usepackage{mathpple}\n"),
        FontSetup(
            "mathastext",
            "Latin Modern text letters as math: mathastext",
            "\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n\\usepackage{mathastext}\n",
        ),
        FontSetup(
            "sansmathfonts",
            "sans Computer Modern: sansmathfonts",
            "\\usepackage[T1]{fontenc}\n\\usepackage{sansmathfonts}\n",
        ),
    )
}
FONTS3_CLASSES: dict[str, DocClass] = {
    "article": DocClass(
        "article", "\\documentclass[11pt]{article}", False, _PLAIN_FRONT, tuple(FONTS3)
    ),
    "article2c": DocClass(
        "article2c",
        "\\documentclass[twocolumn]{article}",
        True,
        _PLAIN_FRONT,
        ("iwona", "mathpple"),
    ),
}


# An eighth set, held out from the start (``grid="fresh2"``, added 2026-12-04 before any of it
# was scored): document classes and math font setups in no grid above, all from Debian's TeX
# Live. Summary figures only; never developed on. STIX v1 (not STIX Two), Baskerville with
# newtxmath[baskervillef], Latin Modern through cfr-lm, mathabx's symbols with CM letters,
# Euler with Palatino via eulerpx, sans math from CM sans (sfmath) and from Kp-Fonts
# (kpfonts[sfmath]), MdSymbol's symbols with CM letters. GFS Neohellenic Math
# (gfsneohellenicot) needs fontspec, gfsdidot a font Debian lacks; jss, lipics, aa, eptcs,
# copernicus and imsart are not in Debian's texlive-publishers.
FRESH2_FONTS: dict[str, FontSetup] = {
    f.name: f
    for f in (
        FontSetup("stix", "STIX v1", "\\usepackage[T1]{fontenc}\n\\usepackage{stix}\n"),
        FontSetup(
            "baskervillef",
            "Baskerville F + newtxmath[baskervillef]",
            "\\usepackage[T1]{fontenc}\n\\usepackage{baskervillef}\n"
            "\\usepackage[baskervillef]{newtxmath}\n",
        ),
        FontSetup(
            "cfrlm", "Latin Modern via cfr-lm", "\\usepackage[T1]{fontenc}\n\\usepackage{cfr-lm}\n"
        ),
        FontSetup("mathabx", "CM letters + mathabx symbols", "\\usepackage{mathabx}\n"),
        FontSetup(
            "eulerpx",
            "Palatino text + Euler math: eulerpx",
            "\\usepackage[T1]{fontenc}\n\\usepackage{eulerpx}\n",
        ),
        FontSetup(
            "sfmath",
            "CM sans text and math: sfmath",
            "\\usepackage[T1]{fontenc}\n\\renewcommand{\\familydefault}{\\sfdefault}\n"
            "\\usepackage{sfmath}\n",
        ),
        FontSetup(
            "kpsans",
            "Kp-Fonts with sans math: kpfonts[sfmath]",
            "\\usepackage[T1]{fontenc}\n\\usepackage[sfmath]{kpfonts}\n",
        ),
        FontSetup("mdsymbol", "CM letters + MdSymbol symbols", "\\usepackage{mdsymbol}\n"),
    )
}
FRESH2_CLASSES: dict[str, DocClass] = {
    c.name: c
    for c in (
        DocClass(
            "scrreprt",
            "\\documentclass[11pt]{scrreprt}",  # KOMA report: numbered within chapters
            False,
            _PLAIN_FRONT + "\\chapter{{Theory}}\n",
            ("stix", "mathabx"),
        ),
        DocClass(
            "ejpecp",
            "\\documentclass[EJP,preprint]{ejpecp}",  # Electron. J. Probab.: Bera text
            False,
            "\\TITLE{{{title}}}\n\\AUTHORS{{{author}}}\n\\ABSTRACT{{{abstract}}}\n"
            "\\begin{{document}}\n\\maketitle\n",
            ("eulerpx", "kpsans"),
        ),
        DocClass(
            "ptptex",
            "\\documentclass{ptptex}",  # Progress of Theoretical Physics
            False,
            "\\begin{{document}}\n\\title{{{title}}}\n\\author{{{author}}}\n"
            "\\inst{{Department of Physics, Example University}}\n\\abst{{{abstract}}}\n"
            "\\maketitle\n",
            ("baskervillef", "cfrlm"),
        ),
        DocClass(
            "tuftebook",
            "\\documentclass{tufte-book}",  # wide margin, chapters
            False,
            "\\title{{{title}}}\n\\author{{{author}}}\n\\begin{{document}}\n\\maketitle\n"
            "\\chapter{{Theory}}\n{abstract}\n",
            ("sfmath", "mdsymbol"),
        ),
        DocClass(
            "jpsj2",
            "\\documentclass{jpsj2}",  # J. Phys. Soc. Jpn. (its preprint layout)
            False,
            "\\title{{{title}}}\n\\author{{{author}}}\n"
            "\\inst{{Department of Physics, Example University}}\n\\abst{{{abstract}}}\n"
            "\\begin{{document}}\n\\maketitle\n",
            ("stix", "eulerpx"),
        ),
        DocClass(
            "ascelike",
            "\\documentclass[Journal,letterpaper]{ascelike}",  # ASCE journals
            False,
            "\\title{{{title}}}\n\\author{{{author}}}\n\\begin{{document}}\n\\maketitle\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n",
            ("baskervillef", "sfmath"),
        ),
        DocClass(
            "aiaa",
            "\\documentclass{aiaa-tc}",  # AIAA technical conferences
            False,
            "\\title{{{title}}}\n\\author{{{author}\\thanks{{Example University}}}}\n"
            "\\begin{{document}}\n\\maketitle\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n",
            ("mathabx", "kpsans"),
        ),
        DocClass(
            "revtex4",
            "\\documentclass[aps,pre,twocolumn]{revtex4}",  # REVTeX 4.0, not 4-1 or 4-2
            True,
            "\\begin{{document}}\n\\title{{{title}}}\n\\author{{{author}}}\n"
            "\\affiliation{{Department of Physics, Example University}}\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n\\maketitle\n",
            ("mdsymbol", "cfrlm"),
        ),
    )
}


# A tenth set, held out from the start (``grid="fresh3"``, added 2026-12-04 before any of it
# was scored or any failure of fresh2 was read): classes and math font setups in no grid above,
# all from Debian's TeX Live. Summary figures only; never developed on. mathptm is the old PSNFSS
# Times math (Times letters, CM symbols), not mathptmx; Scholax with newtxmath[ncf] (New
# Century Schoolbook math); Kp-Fonts' light weight is its own set of font programs; mathastext
# with Bitstream Charter letters; EB Garamond letters from ebgaramond-maths (not
# newtxmath[ebgaramond]); Noto Sans math through newtxmath[notosans]; CM sans math through
# sansmath (not sfmath); CM with mathalpha's BOONDOX calligraphic, double-struck and Fraktur.
# txfontsb is txfonts' glyphs again, euler.sty eulervm's, and the classes jacow (tgtermes),
# kluwer (its own \iint), elbioimp, mentis, lni, gaceta and fcavtex do not build here.
FRESH3_FONTS: dict[str, FontSetup] = {
    f.name: f
    for f in (
        FontSetup("mathptm", "Times letters + CM symbols: mathptm", "\\usepackage{mathptm}\n"),
        FontSetup(
            "scholax",
            "Scholax + newtxmath[ncf]",
            "\\usepackage[T1]{fontenc}\n\\usepackage{scholax}\n"
            "\\usepackage[scaled=1.075,ncf,vvarbb]{newtxmath}\n",
        ),
        FontSetup(
            "kplight", "Kp-Fonts light", "\\usepackage[T1]{fontenc}\n\\usepackage[light]{kpfonts}\n"
        ),
        FontSetup(
            "charterastext",
            "Charter letters as math: charter + mathastext",
            "\\usepackage[T1]{fontenc}\n\\usepackage{charter}\n\\usepackage[italic]{mathastext}\n",
        ),
        FontSetup(
            "ebgmaths",
            "EB Garamond + ebgaramond-maths",
            "\\usepackage[T1]{fontenc}\n\\usepackage{ebgaramond}\n"
            "\\usepackage[cmintegrals,cmbraces]{newtxmath}\n\\usepackage{ebgaramond-maths}\n",
        ),
        FontSetup(
            "notosans",
            "Noto Sans + newtxmath[notosans]",
            "\\usepackage[T1]{fontenc}\n\\usepackage[sfdefault]{noto}\n"
            "\\usepackage[notosans]{newtxmath}\n",
        ),
        FontSetup(
            "sansmath",
            "CM sans text and math: sansmath",
            "\\renewcommand{\\familydefault}{\\sfdefault}\n\\usepackage{sansmath}\n\\sansmath\n",
        ),
        FontSetup(
            "boondox",
            "CM + mathalpha BOONDOX alphabets",
            "\\usepackage[cal=boondoxo,bb=boondox,frak=boondox]{mathalpha}\n",
        ),
    )
}
FRESH3_CLASSES: dict[str, DocClass] = {
    c.name: c
    for c in (
        DocClass(
            "spie",
            "\\documentclass{spie}",  # SPIE proceedings
            False,
            "\\title{{{title}}}\n\\author{{{author}}}\n\\begin{{document}}\n\\maketitle\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n\\keywords{{methods}}\n",
            ("scholax", "ebgmaths"),
        ),
        DocClass(
            "nrc2",
            "\\documentclass{nrc2}",  # NRC Research Press, two columns
            True,
            "\\begin{{document}}\n\\title{{{title}}}\n\\author{{{author}}}\n"
            "\\address{{Example University}}\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n\\maketitle\n",
            ("mathptm", "boondox"),
        ),
        DocClass(
            "resphil",
            "\\documentclass{resphilosophica}",  # Res Philosophica (amsart-based)
            False,
            "\\begin{{document}}\n\\title{{{title}}}\n\\author{{{author}}}\n\\maketitle\n"
            "\\begin{{abstract}}\n{abstract}\n\\end{{abstract}}\n",
            ("sansmath", "notosans"),
        ),
        DocClass(
            "apa7jou",
            "\\documentclass[jou,notxfonts]{apa7}",  # APA journal mode, two columns
            True,
            "\\title{{{title}}}\n\\shorttitle{{Example}}\n\\author{{{author}}}\n"
            "\\affiliation{{Example University}}\n\\abstract{{{abstract}}}\n"
            "\\begin{{document}}\n\\maketitle\n",
            ("charterastext", "kplight"),
        ),
    )
}


# A ninth set (``grid="unicode"``, 2026-12-04): papers set with XeLaTeX or LuaLaTeX and
# unicode-math, OpenType math fonts from Debian's TeX Live (Identity-H CID fonts, math
# alphanumerics at U+1D400.., delimiters and radicals as size variants and extensible pieces).
# Split by font into ``unicode-dev`` and ``unicode-heldout`` before any of it was scored, each
# half with both engines; the held-out half is scored by its summary lines only.
def _otf(name: str, description: str, math: str, text: str, engine: str) -> FontSetup:
    """unicode-math with ``math`` (an .otf file); ``text`` a fontspec family with its files
    named ``<text>-Regular/Bold/Italic/BoldItalic.otf`` (empty: Latin Modern, the default)."""
    main = (
        f"\\setmainfont{{{text}}}[Extension=.otf,UprightFont=*-Regular,BoldFont=*-Bold,"
        "ItalicFont=*-Italic,BoldItalicFont=*-BoldItalic]\n"
        if text
        else ""
    )
    preamble = f"\\usepackage{{unicode-math}}\n{main}\\setmathfont{{{math}}}\n"
    return FontSetup(name, f"{description} ({engine}, unicode-math)", preamble, engine)


UNICODE_DEV_FONTS: dict[str, FontSetup] = {
    f.name: f
    for f in (
        _otf("lmmath", "Latin Modern Math", "latinmodern-math.otf", "", "xelatex"),
        _otf("newcm", "New Computer Modern Math", "NewCMMath-Regular.otf", "NewCM10", "lualatex"),
        _otf("xits", "XITS Math + XITS", "XITSMath-Regular.otf", "XITS", "lualatex"),
        _otf(
            "libertinus",
            "Libertinus Math + Serif",
            "LibertinusMath-Regular.otf",
            "LibertinusSerif",
            "xelatex",
        ),
    )
}
UNICODE_HELDOUT_FONTS: dict[str, FontSetup] = {
    f.name: f
    for f in (
        _otf(
            "stixtwo", "STIX Two Math + Text", "STIXTwoMath-Regular.otf", "STIXTwoText", "lualatex"
        ),
        _otf("firamath", "Fira Math + Fira Sans", "FiraMath-Regular.otf", "FiraSans", "xelatex"),
        _otf(
            "garamond", "Garamond-Math + EB Garamond", "Garamond-Math.otf", "EBGaramond", "lualatex"
        ),
    )
}
UNICODE_FONTS = {**UNICODE_DEV_FONTS, **UNICODE_HELDOUT_FONTS}
_UNICODE_PAIRS = {
    "article": ("lmmath", "xits", "stixtwo", "garamond"),
    "article2c": ("xits", "firamath"),
    "amsart": ("newcm", "libertinus", "firamath"),
    "revtex": ("lmmath", "stixtwo"),
    "elsarticle": ("newcm", "libertinus", "garamond"),
}


def _unicode_classes(fonts: dict[str, FontSetup]) -> dict[str, DocClass]:
    return {
        name: replace(CLASSES[name], fonts=tuple(f for f in pairs if f in fonts))
        for name, pairs in _UNICODE_PAIRS.items()
        if any(f in fonts for f in pairs)
    }


_SIDE_GRIDS = {
    "heldout": (HELDOUT_CLASSES, HELDOUT_FONTS),
    "extra": (EXTRA_CLASSES, EXTRA_FONTS),
    "classes2": (CLASSES2, FONTS),
    **{
        f"classes2-{half}": (
            {n: c for n, c in CLASSES2.items() if classes2_half(n) == half},
            FONTS,
        )
        for half in ("dev", "heldout")
    },
    "layouts": (LAYOUT_CLASSES, FONTS),
    "fresh": (FRESH_CLASSES, FRESH_FONTS),
    "fonts3": (FONTS3_CLASSES, FONTS3),
    "fresh2": (FRESH2_CLASSES, FRESH2_FONTS),
    "fresh3": (FRESH3_CLASSES, FRESH3_FONTS),
    "unicode": (_unicode_classes(UNICODE_FONTS), UNICODE_FONTS),
    "unicode-dev": (_unicode_classes(UNICODE_DEV_FONTS), UNICODE_DEV_FONTS),
    "unicode-heldout": (_unicode_classes(UNICODE_HELDOUT_FONTS), UNICODE_HELDOUT_FONTS),
}
GRIDS = ("default", "full", *_SIDE_GRIDS)


def grid_cells(
    classes: list[str] | None = None, fonts: list[str] | None = None, *, grid: str = "default"
) -> list[Cell]:
    """The cells to build, in class then font order; unknown names raise ``KeyError``."""
    if grid in _SIDE_GRIDS:
        side_classes, side_fonts = _SIDE_GRIDS[grid]
        return [
            Cell(cls, side_fonts[f])
            for cls in side_classes.values()
            if not classes or cls.name in classes
            for f in cls.fonts
            if not fonts or f in fonts
        ]
    for name in classes or []:
        CLASSES[name]  # noqa: B018 - fail early on a typo
    for name in fonts or []:
        FONTS[name]  # noqa: B018
    cells = []
    for cls in CLASSES.values():
        if classes and cls.name not in classes:
            continue
        paired = cls.fonts if grid == "default" or cls.own_fonts else tuple(FONTS)
        cells.extend(Cell(cls, FONTS[f]) for f in paired if not fonts or f in fonts)
    return cells
