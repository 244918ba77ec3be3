"""The real papers recompiled in other math fonts: a held-out test with real structure.

Usage:
    python benchmarks/retypeset.py [--setups dev|dev2|dev3|dev4|dev5|dev6|dev7|heldout|heldout2|
        heldout7|all|NAME,...] [--out DIR] [--papers DIR] [--build-only] [--ocr] [--jobs 2] [--worst 3]

Each paper folder of ``../shared/data/papers`` (its LaTeX source, ``SOURCES.tsv``) is copied to
``<out>/builds/<setup>/<paper>/`` (default out: ``~/.cache/scipix-search/retypeset``), a font
setup is inserted on the line before ``\\begin{document}`` of its main file, and pdflatex
recompiles it (two passes, the paper's own ``.bbl`` kept, bibtex only where a ``.bib`` has no
``.bbl``). ``<out>/<setup>/`` links the papers that count and its ``SOURCES.tsv`` names them,
so the folder scores like the originals:
``python benchmarks/pdf_equations.py --papers <out>/<setup> --ocr -v``. A paper is rebuilt
only when its files, the setup or this script's build rules change (content hash in
``<paper>/.retypeset.json``, failures included).

The paper's own macros, environments, numbering, columns and theorem styles stay; only the
fonts change. The insertion is the least invasive that compiles: the setup's packages alone
before ``\\begin{document}`` (or, when that fails, right after ``\\documentclass``), then,
where LaTeX says ``Command \\X already defined`` (amssymb before newtxmath and friends),
``\\let\\X\\relax`` guards for exactly those commands, up to a few rounds. A missing ``.sty`` or
``.cfg`` (a journal configuration the repository did not ship) gets an empty stub in every
compile of that paper, the unmodified one included. A paper counts as compiled in a setup when
pdflatex writes its PDF with no more errors than the unmodified paper's own compile (missing
figures are errors there too); the rate is over the papers that compiled. A paper whose PDF
still sets its math italic in Computer/Latin Modern (the setup did not take, e.g. a class that
loads its own fonts at ``\\begin{document}``) is listed and left out of the rate.

Development and held-out setups (fixed before anything was scored, 2026-12-04):

* development: ``newtx`` (Times: newtxtext + newtxmath), ``kpfonts``, ``mathpazo`` (Palatino);
  ``pdf_equations.py --papers <out>/<setup> --ocr -v`` lists their misses;
* held out: ``libertine`` (libertine + newtxmath[libertine]), ``eulervm`` (Euler math, the
  paper's text fonts), ``mdcharter`` (Charter: mathdesign[charter]); only their overall
  figures are read, never their failures.

(The split was chosen after a build-only run showed which setups compile for most papers,
and before any paper was scored in any setup.)

A second development set (``--setups dev2``, 2026-12-05, fonts8): ``fourier`` (Utopia and
Fourier math), ``newpx`` (Palatino: newpxtext + newpxmath) and ``mathptmx`` (Times with
Symbol and CM math), taken from the unsplit setups below so that rules are found on fonts
other than the first three and still checked on the held-out three, which stay as they were.

A third split (``--setups dev3`` / ``--setups heldout2``, fonts9, 2026-12-05), fixed before
any of its setups was scored: ten setups in no earlier split were compiled (``--build-only``)
and all ten kept, since each compiled for at least half of the papers (the count in brackets);
setups whose math font is a sibling of a held-out one went to ``heldout2`` so that rules
found on ``dev3`` are not tuned on the held-out fonts' relatives:

* ``dev3``: ``fouriernc`` (Century Schoolbook and Fourier math, 15), ``txfonts`` (Times,
  15), ``xcharter`` (XCharter + newtxmath[xcharter], 15), ``stix`` (STIX v1, 9: "Too many
  symbol fonts" elsewhere), ``erewhon`` (Erewhon + newtxmath[utopia], 15);
* ``heldout2``: ``pxfonts`` (Palatino, 15), ``mdput`` (mathdesign[utopia], 13), ``arev``
  (Arev Sans with mathdesign's Charter symbols, 16), ``libertinust1`` (Libertine +
  libertinust1math, 16), ``cochineal`` (Cochineal + newtxmath[cochineal], 15); like the
  first held-out set, only overall figures are read.

Tried and not taken: ``mathdesign[garamond]`` (URW Garamond is not installed), ``concmath``
and ``boisik`` (bitmap Type 3 fonts here: a scan-like problem of its own), ``ccfonts`` (Euler
math again, the held-out ``eulervm``'s), ``lmodern`` + ``isomath`` (its math italic is Latin
Modern's, which the CM check leaves out).

A fourth split (``--setups heldout3``, now ``dev4``; fonts10, 2026-12-05), all held out, fixed by compile
success alone before any of it was scored: seven setups in no earlier split (and not
``cmbright``, built before under ``all``) were compiled (``--build-only``) and the six whose
math took for at least half of the papers kept: ``ebgaramond`` (EB Garamond +
newtxmath[ebgaramond], 15), ``stickstoo`` (STIX Two text + newtxmath[stickstoo], 15),
``notomath`` (Noto Serif and its math, 15), ``kerkis`` (Kerkis + kmath, 14), ``iwona``
(Iwona sans with its math, 17), ``baskervillef`` (Baskervville + newtxmath[baskervillef],
15); ``lxfonts`` (1 of 18: its math italic is Latin Modern's) was dropped. Scored once, at
main 7ea8210 (text layer), before any development of fonts10; like the other held-out sets
only overall figures are read.

The fourth split became development (``--setups dev4``, fonts11, 2026-12-05): its six setups
were scored once as held out (figures above and in ``docs/pdf-equations.md``); from then on
their misses are read (iwona and kerkis, the sans and the unusual math fonts, were the
weakest), so they are no longer unseen fonts.

A fifth split (``--setups heldout4``, now ``dev5``; fonts11, 2026-12-05), all held out, fixed before any of
it was scored: the candidates, chosen before any compile, were five setups in no earlier split
whose math letters come from no development setup's fonts (not ``kurier`` or ``anttor``,
which share Iwona's JMN math fonts; not ``gfsartemisia``, whose math letters are txfonts'; not
``cmbright`` or ``stix2``, built and scored under ``all`` before): ``newtxsf`` (STIX sans math
letters, newtxsf), ``sansmathfonts`` (sans Computer Modern), ``mathastext`` (Latin Modern text
letters as math), ``mathpple`` (Palatino and slanted Euler), ``gfsdidot`` (GFS Didot letters,
pxfonts symbols). The first four are also math setups of typeset development grids (``fresh``,
``fonts3``): new as real-paper setups, not as fonts. The rule, written before the build: every
candidate whose math takes for at least half of the papers (9 of 18) is kept. Compiled
(``--build-only``), papers that count: newtxsf 15, sansmathfonts 15, mathastext 14, mathpple
16, all kept; gfsdidot dropped (its text fonts, TeX Gyre Pagella's ``cs-qplr``, are not
installed: ``mktextfm`` runs and metric errors on every paper tried). ``HELDOUT4_SETUPS`` (now
``DEV5_SETUPS``) was written before the first scoring, at main 423737f (text layer); only
overall figures are read.

The fifth split became development (``--setups dev5``, fonts12, 2026-12-05; ``heldout4``
still names it): its four setups were scored as held out (newtxsf 82.6, sansmathfonts 81.3,
mathastext 70.2, mathpple 87.5 %, ``docs/pdf-equations.md``); from then on their misses are
read (sans math and text-font math letters were the weakest), so they are no longer unseen.

A sixth split (``--setups heldout5``, now ``dev6``; fonts12, 2026-12-05), all held out, fixed before any of
it was scored: the candidates, written into ``SETUPS`` before any compile, were six setups in
no earlier split whose math letters are in no development setup: ``sfhelvet`` (Helvetica
text, sfmath's Helvetica math letters), ``mtbookman`` (Bookman text letters as math:
mathastext), ``mtbiolinum`` (Biolinum sans text letters as math: mathastext), ``kpsans``
(kpfonts' sans math letters, ``[sfmath]``; kpfonts' symbols, a development setup's),
``mtfira`` (Fira Sans text letters as math: mathastext), ``anttor`` (Antykwa Torunska and its
math; its extension and symbol fonts are the JMN fonts of dev4's iwona, the letters are not).
The rule, written before the build: every candidate whose math takes for at least half of
the papers (9 of 18) is kept. Compiled (``--build-only``), papers that count: sfhelvet 14,
mtbookman 15, mtbiolinum 15, kpsans 14, mtfira 15, anttor 17: all six kept.
``HELDOUT5_SETUPS`` (now ``DEV6_SETUPS``) was written before the first scoring; only overall
figures are read.

The sixth split became development (``--setups dev6``, fonts13, 2026-12-05; ``heldout5``
still names it): its six setups were scored as held out, first and after fonts12's rules
(sfhelvet 89.8, mtbookman 84.3, mtbiolinum 82.1, kpsans 88.1, mtfira 81.1, anttor 85.0 %,
``docs/pdf-equations.md``); from then on their misses are read, so they are no longer unseen.

A seventh split (``--setups heldout6``, now ``dev7``; fonts13, 2026-12-05), all held out, fixed before any of
it was scored: the candidates, written into ``SETUPS`` (and committed) before any compile,
were six setups in no earlier split whose math letters are in no development setup, all
through mathastext (in pdfLaTeX the way a text family nobody made math fonts for becomes the
math letters), four of them in its ``[italic]`` mode, which no split had: ``mtcharteri``
(Charter italic letters), ``mtptserif`` (PT Serif, upright letters), ``mtcrimsonfd`` (Crimson
italic letters, fdsymbol's Fedra symbols), ``mtsourcesans`` (Source Sans Pro italic letters),
``mtfbbmn`` (fbb's Bembo-like italic letters, MnSymbol's symbols and extension), ``mtgentium``
(Gentium italic letters). Not candidates: ``gfsartemisia`` (its math letters are txfonts',
dev3), ``lxfonts`` and ``mlmodern`` (Latin Modern math italic or its bold twin: the CM check
leaves them out), ``boisik`` and ``concmath`` (bitmap fonts here), ``frenchmath`` and
``garamondx`` (not installed), ``kpfonts-otf`` (LuaTeX only), ``fourier`` + ``erewhon``
(Fourier's letters, dev2), ``cmbright`` (built and scored under ``all`` before). The rule,
written before the build: every candidate whose math takes for at least half of the papers (9
of 18) is kept. Compiled (``--build-only``), papers that count: mtcharteri 14, mtptserif 14,
mtcrimsonfd 9 (fdsymbol's ``\\centerdot`` still clashes in five papers), mtsourcesans
15, mtfbbmn 11, mtgentium 15: all six kept. ``HELDOUT6_SETUPS`` (now ``DEV7_SETUPS``) was
written before the first scoring; only overall figures are read.

The seventh split became development (``--setups dev7``, fonts14, 2026-12-05; ``heldout6``
still names it): its six setups were scored as held out, first and after fonts13's rules
(mtcharteri 92.4, mtptserif 86.9, mtcrimsonfd 81.9, mtsourcesans 90.9, mtfbbmn 80.2, mtgentium
91.4 %, ``docs/pdf-equations.md``); from then on their misses are read.

An eighth split (``--setups heldout7``, fonts14, 2026-12-05), all held out, fixed before any of
it was scored. It is the first to change the document class as well as the fonts
(``CLASSES``: the paper's ``\\documentclass`` line, options included, is replaced; its own
macros and environments stay), since the product meets classes no paper here was set in. The
candidates, written into ``SETUPS`` and ``CLASSES`` (and committed) before any compile:
``acmsig`` (acmart ``[sigconf,nonacm]``, two columns, with the class's own Libertine,
Biolinum and newtxmath[libertine]), ``elsmlm`` (elsarticle ``[5p]``, two columns, MLModern:
a heavier Latin Modern with math fonts of its own), ``revbaskd`` (revtex4-2 ``[aps,prl,
reprint]``, two columns, Baskervaldx with newtxmath[baskervaldx]), ``llncseuler`` (llncs,
eulerpx: Palatino text, slanted Euler letters, newpxmath symbols), ``notosans`` (Noto Sans
text and newtxmath[notosans] sans math letters, the paper's own class), ``kurier`` (Kurier
sans text and math letters; its extension and symbol fonts are iwona's JMN fonts, the letters
are not). Not candidates: ``svjour3`` (not installed), ``mathdesign[garamond]`` (URW Garamond
not installed), ``boisik`` and ``concmath``/``ccfonts`` (bitmap fonts here), ``lxfonts``
(Latin Modern math italic), ``gfsartemisia`` (txfonts' letters, dev3), ``fdsymbol`` and
``MnSymbol`` (in dev7 now), newtxmath[libertine] alone (held out ``libertine``; here under
acmart). The rule, written before the build: a setup that keeps the paper's class counts when
its math takes for at least half of the papers (9 of 18), one that changes the class for at
least a third (6 of 18: a paper written against its own class's front matter, revtex's
``\\affiliation`` or elsarticle's ``frontmatter``, may not compile in another). The CM check
now leaves MLModern's ``MLMMathItalic`` out of Latin Modern's ``LMMathItalic``.
Compiled (``--build-only``, with the class-change guards of ``_class_guards``), papers that
count: acmsig 3, elsmlm 4, revbaskd 3, llncseuler 3 (all four class changes dropped: acmart
refuses other classes' front matter and package options; elsarticle's natbib, revtex's and
llncs's own theorem, ``\\Bbbk`` and front-matter definitions clash with the papers' own),
notosans 15, kurier 16 (kept). Since the class changes left too few setups, three fallbacks
were added after the first two class builds and before any heldout7 setup was scored, each a
class candidate's fonts in the papers' own classes, under the 9-of-18 rule: ``mlmodern`` 17,
``baskervaldx`` 15, ``eulerpx`` 14, all three kept. ``HELDOUT7_SETUPS`` is the kept
setups; no class change is among them, so heldout7 is a font split only.

``--setups all`` adds ``stix2``, ``fourier``, ``mathptmx``, ``cmbright`` and ``newpx`` (the
second development set below, and two in neither split; stix2 declares more symbol fonts than most papers leave room
for). Latin Modern is not a setup: its math is Computer Modern's. Printed: per setup, papers
compiled (of those tried), rows, det_recall, precision, latex@0.8, mean_sim and the worst
papers; and the papers that did not compile or kept CM math, with why. For development (and
unsplit) setups each paper's figure and its missed and low rows go to
``<out>/builds/<setup>/misses-{ocr,text}.txt``; held-out setups get no such file.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import code_version, load_ocr  # noqa: E402
from scipix_search.eval import (  # noqa: E402
    PaperFolder,
    PdfEquationScore,
    paper_folders,
    print_table,
    score_pdf_equations,
    shared_data_dir,
)

DEFAULT_OUT = Path.home() / ".cache" / "scipix-search" / "retypeset"
# bump when the build rules change: every cached compile is redone
BUILD_VERSION = "2"
PASS_TIMEOUT_S = 180
GUARD_ROUNDS = 6
_T1 = "\\usepackage[T1]{fontenc}\n"

SETUPS: dict[str, str] = {
    # TS1 (textcomp symbols) of newtxtext's Termes has no metrics in Debian's TeX Live: those
    # few symbols come from Times (ptm), which has them
    "newtx": _T1 + "\\usepackage{newtxtext}\n\\usepackage{newtxmath}\n"
    "\\DeclareFontFamilySubstitution{TS1}{ntxtlf}{ptm}\n",
    "kpfonts": _T1 + "\\usepackage{kpfonts}\n",
    "mathpazo": "\\usepackage{mathpazo}\n",
    "stix2": _T1 + "\\usepackage{stix2}\n",
    "libertine": _T1 + "\\usepackage{libertine}\n\\usepackage[libertine]{newtxmath}\n",
    "mdcharter": _T1 + "\\usepackage[charter]{mathdesign}\n",
    "fourier": _T1 + "\\usepackage{fourier}\n",
    "eulervm": "\\usepackage{eulervm}\n",
    "mathptmx": "\\usepackage{mathptmx}\n",
    "cmbright": _T1 + "\\usepackage{cmbright}\n",
    "newpx": _T1 + "\\usepackage{newpxtext}\n\\usepackage{newpxmath}\n",
    # third split (fonts9, 2026-12-05): dev3 and heldout2 below
    "fouriernc": _T1 + "\\usepackage{fouriernc}\n",
    "txfonts": "\\usepackage{txfonts}\n",
    "xcharter": _T1 + "\\usepackage{XCharter}\n\\usepackage[xcharter]{newtxmath}\n",
    "stix": _T1 + "\\usepackage{stix}\n",
    "erewhon": _T1 + "\\usepackage{erewhon}\n\\usepackage[utopia]{newtxmath}\n",
    "pxfonts": "\\usepackage{pxfonts}\n",
    "mdput": _T1 + "\\usepackage[utopia]{mathdesign}\n",
    "arev": _T1 + "\\usepackage{arev}\n",
    "libertinust1": _T1 + "\\usepackage{libertine}\n\\usepackage{libertinust1math}\n",
    "cochineal": _T1 + "\\usepackage{cochineal}\n\\usepackage[cochineal]{newtxmath}\n",
    # fourth split (fonts10, 2026-12-05): heldout3, now dev4 (fonts11)
    "ebgaramond": _T1 + "\\usepackage{ebgaramond}\n\\usepackage[ebgaramond]{newtxmath}\n",
    "stickstoo": _T1 + "\\usepackage{stickstootext}\n\\usepackage[stickstoo]{newtxmath}\n",
    "notomath": _T1 + "\\usepackage{notomath}\n",
    "kerkis": _T1 + "\\usepackage{kmath,kerkis}\n",
    "iwona": _T1 + "\\usepackage[math]{iwona}\n",
    "baskervillef": _T1 + "\\usepackage{baskervillef}\n\\usepackage[baskervillef]{newtxmath}\n",
    # fifth split (fonts11, 2026-12-05): heldout4 below
    "newtxsf": _T1 + "\\usepackage{newtxsf}\n",
    "sansmathfonts": _T1 + "\\usepackage{sansmathfonts}\n",
    "mathastext": _T1 + "\\usepackage{lmodern}\n\\usepackage{mathastext}\n",
    "gfsdidot": _T1 + "\\usepackage{gfsdidot}\n",  # a candidate, not kept (see above)
    "mathpple": "\\usepackage{mathpple}\n",
    # sixth split (fonts12, 2026-12-05): candidates for heldout5, fixed before any compile
    "sfhelvet": "\\usepackage{helvet}\n\\renewcommand{\\familydefault}{\\sfdefault}\n"
    "\\usepackage[helvet]{sfmath}\n",
    "mtbookman": _T1 + "\\usepackage{bookman}\n\\usepackage{mathastext}\n",
    "mtbiolinum": _T1 + "\\usepackage[sfdefault]{biolinum}\n\\usepackage{mathastext}\n",
    "kpsans": _T1 + "\\usepackage[sfmath]{kpfonts}\n",
    "mtfira": _T1 + "\\usepackage[sfdefault]{FiraSans}\n\\usepackage{mathastext}\n",
    "anttor": _T1 + "\\usepackage[math]{anttor}\n",
    # seventh split (fonts13, 2026-12-05): candidates for heldout6, fixed before any compile
    "mtcharteri": _T1 + "\\usepackage{charter}\n\\usepackage[italic]{mathastext}\n",
    "mtptserif": _T1 + "\\usepackage{PTSerif}\n\\usepackage{mathastext}\n",
    "mtcrimsonfd": _T1
    + "\\usepackage{crimson}\n\\usepackage{fdsymbol}\n\\usepackage[italic]{mathastext}\n",
    "mtsourcesans": _T1
    + "\\usepackage[default]{sourcesanspro}\n\\usepackage[italic]{mathastext}\n",
    "mtfbbmn": _T1
    + "\\usepackage{fbb}\n\\usepackage{MnSymbol}\n\\usepackage[italic]{mathastext}\n",
    "mtgentium": _T1 + "\\usepackage{gentium}\n\\usepackage[italic]{mathastext}\n",
    # eighth split (fonts14, 2026-12-05): candidates for heldout7, fixed before any compile;
    # the first four also change the document class (CLASSES below)
    "acmsig": "",  # acmart loads its own fonts: Libertine, Biolinum, newtxmath[libertine]
    "elsmlm": _T1 + "\\usepackage{mlmodern}\n",
    "revbaskd": _T1 + "\\usepackage{Baskervaldx}\n\\usepackage[baskervaldx]{newtxmath}\n",
    "llncseuler": "\\usepackage{eulerpx}\n",
    "notosans": _T1 + "\\usepackage[sfdefault]{noto-sans}\n\\usepackage[notosans]{newtxmath}\n",
    "kurier": _T1 + "\\usepackage[math]{kurier}\n",
    # added after the class changes' build, before any heldout7 scoring: the fonts of the
    # dropped class-change candidates in the paper's own class
    "mlmodern": _T1 + "\\usepackage{mlmodern}\n",
    "baskervaldx": _T1 + "\\usepackage{Baskervaldx}\n\\usepackage[baskervaldx]{newtxmath}\n",
    "eulerpx": "\\usepackage{eulerpx}\n",
}
# setups that also replace the paper's \documentclass line (its options included): the
# paper's own macros and environments stay, the class's page layout, columns and fonts change
CLASSES: dict[str, str] = {
    "acmsig": "\\documentclass[sigconf,nonacm]{acmart}",
    "elsmlm": "\\documentclass[5p]{elsarticle}",
    "revbaskd": "\\documentclass[aps,prl,reprint]{revtex4-2}",
    "llncseuler": "\\documentclass{llncs}",
}
DEV_SETUPS = ("newtx", "kpfonts", "mathpazo")
DEV2_SETUPS = ("fourier", "newpx", "mathptmx")
DEV3_SETUPS = ("fouriernc", "txfonts", "xcharter", "stix", "erewhon")
HELDOUT_SETUPS = ("libertine", "eulervm", "mdcharter")
HELDOUT2_SETUPS = ("pxfonts", "mdput", "arev", "libertinust1", "cochineal")
# the fourth split, held out when it was added (fonts10) and development since fonts11
DEV4_SETUPS = ("ebgaramond", "stickstoo", "notomath", "kerkis", "iwona", "baskervillef")
# the fifth split, held out when it was added (fonts11) and development since fonts12
DEV5_SETUPS = ("newtxsf", "sansmathfonts", "mathastext", "mathpple")
# the sixth split, held out when it was added (fonts12) and development since fonts13
DEV6_SETUPS = ("sfhelvet", "mtbookman", "mtbiolinum", "kpsans", "mtfira", "anttor")
# the seventh split, held out when it was added (fonts13) and development since fonts14
DEV7_SETUPS = (
    "mtcharteri", "mtptserif", "mtcrimsonfd", "mtsourcesans", "mtfbbmn", "mtgentium",
)  # fmt: skip
# the eighth split's candidates (fonts14): every one is held out, kept or not
HELDOUT7_CANDIDATES = (
    "acmsig", "elsmlm", "revbaskd", "llncseuler", "notosans", "kurier",
    "mlmodern", "baskervaldx", "eulerpx",
)  # fmt: skip
HELDOUT7_SETUPS = ("notosans", "kurier", "mlmodern", "baskervaldx", "eulerpx")
# held-out setups: their failures are never read, only their overall figures
UNREAD_SETUPS = HELDOUT_SETUPS + HELDOUT2_SETUPS + HELDOUT7_CANDIDATES

_ALREADY_RE = re.compile(r"^! LaTeX Error: Command `?(\\[A-Za-z@]+)'? already defined", re.M)
# a class change: a command of the paper's own class the new one lacks (``\\email``,
# ``\\runtitle``) and a package the new class loads with other options than the paper's
_UNDEFINED_RE = re.compile(r"^! Undefined control sequence\.\n[^\n]*?(\\[A-Za-z@]+)$", re.M)
_OPTION_CLASH_RE = re.compile(r"^! LaTeX Error: Option clash for package ([\w.-]+)\.", re.M)
_GOBBLE = (
    "\\makeatletter\n\\def\\retypeset@gobble{\\@ifnextchar[{\\retypeset@opt}"
    "{\\@ifnextchar\\bgroup{\\retypeset@arg}{}}}\n\\def\\retypeset@opt[#1]{\\retypeset@gobble}\n"
    "\\def\\retypeset@arg#1{\\retypeset@gobble}\n\\makeatother\n"
)
_MISSING_RE = re.compile(r"^! LaTeX Error: File `([\w.-]+\.(?:sty|cfg))' not found", re.M)
_PAGES_RE = re.compile(r"Output written on .*? \((\d+) pages?")
# the math italic of Computer Modern / Latin Modern: still there, the setup did not take
# (MLModern's MLMMathItalic / mlmmi, a heavier design of its own, is not Latin Modern's)
_CM_MATH_RE = re.compile(r"(?<![a-z])(?:CMMI\d|LMMathItalic|lmmi\d)", re.I)
_BEGIN_DOC = "\\begin{document}"
_CLASS_RE = re.compile(r"^[ \t]*\\documentclass\s*(?:\[[^\]]*\])?\s*\{[^}]*\}[^\n]*\n", re.M)


@dataclass(slots=True)
class Built:
    """One paper in one setup: where it is, and whether it compiled with the setup in force."""

    setup: str
    paper: PaperFolder
    folder: Path
    ok: bool = False
    reason: str = ""
    pages: int = 0
    guards: tuple[str, ...] = ()
    cm_math: bool = False
    cached: bool = False
    seconds: float = 0.0

    @property
    def tex(self) -> Path:
        return self.folder / self.paper.tex.name

    @property
    def pdf(self) -> Path:
        return self.folder / (self.paper.tex.stem + ".pdf")


def _digest(folder: Path, setup: str) -> str:
    # a class change's guards (``_class_guards``) are build rules of their own
    recipe = (
        SETUPS.get(setup, "") + CLASSES.get(setup, "") + ("\0class2" if setup in CLASSES else "")
    )
    h = hashlib.sha256(f"{BUILD_VERSION}\0{recipe}\0".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _run_tex(folder: Path, tex: Path) -> tuple[str, int]:
    """Two pdflatex passes (bibtex between them when a .bib has no .bbl); the last log and
    its count of errors (``!`` lines)."""
    env = {**os.environ, "max_print_line": "100000", "SOURCE_DATE_EPOCH": "0"}
    args = ["pdflatex", "-interaction=nonstopmode", "-no-shell-escape", tex.name]
    log = ""
    for n in range(2):
        try:
            subprocess.run(
                args,
                cwd=folder,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=PASS_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return "! timeout", 1_000
        log_path = folder / (tex.stem + ".log")
        log = log_path.read_text(encoding="latin-1") if log_path.exists() else ""
        if n == 0 and not (folder / (tex.stem + ".bbl")).exists() and any(folder.glob("*.bib")):
            subprocess.run(
                ["bibtex", tex.stem],
                cwd=folder,
                capture_output=True,
                timeout=PASS_TIMEOUT_S,
                check=False,
            )
    return log, sum(1 for line in log.splitlines() if line.startswith("! "))


def _fresh_copy(src: Path, dst: Path, stubs: set[str]) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=False)
    for name in stubs:
        (dst / name).write_text("% empty stub: not shipped with the paper\n", encoding="utf-8")


def _compile(
    paper: PaperFolder, dst: Path, setup: str, stubs: set[str], *, early: bool = False
) -> tuple[str, int, tuple[str, ...]]:
    """Copy, insert the setup (with guards as needed) and compile; returns the log, its error
    count and the guards used. The setup goes before ``\\begin{document}``, or with ``early``
    right after ``\\documentclass`` (before the paper's own packages and macros, for a paper
    whose macros a font package would redefine). ``stubs`` grows with missing .sty/.cfg
    files."""
    guards: list[str] = []
    log, errors = "", 0
    for _ in range(GUARD_ROUNDS):
        _fresh_copy(paper.folder, dst, stubs)
        tex = dst / paper.tex.name
        (dst / (tex.stem + ".pdf")).unlink(missing_ok=True)  # never score the author's PDF
        if setup != "asis":
            source = tex.read_text(encoding="utf-8", errors="surrogateescape")
            if setup in CLASSES:
                line = _CLASS_RE.search(source)
                if line is None:
                    return "! no \\documentclass line to replace", 1_000, tuple(guards)
                source = (
                    source[: line.start()] + _class_change(setup, guards) + source[line.end() :]
                )
            found = _CLASS_RE.search(source) if early else None
            at = found.end() if found else -1 if early else source.find(_BEGIN_DOC)
            if at < 0:
                return "! no place for the setup in the main file", 1_000, tuple(guards)
            lines = [f"\\let{g}\\relax\n" for g in guards if " " not in g]
            insert = "\n% retypeset.py: font setup\n" + "".join(lines) + SETUPS[setup]
            tex.write_text(
                source[:at] + insert + source[at:], encoding="utf-8", errors="surrogateescape"
            )
        log, errors = _run_tex(dst, tex)
        missing = set(_MISSING_RE.findall(log)) - stubs
        clashes = [c for c in _ALREADY_RE.findall(log) if c not in guards]
        changes = _class_guards(paper, log, guards) if setup in CLASSES else []
        if missing:
            stubs |= missing
        elif (clashes or changes) and setup != "asis":
            guards.extend(dict.fromkeys(clashes + changes))
        else:
            break
    return log, errors, tuple(guards)


def _class_change(setup: str, guards: list[str]) -> str:
    """The new ``\\documentclass`` line, with what the guards ask of a class change: the
    options of a package the paper loads passed before the class loads it (``options``), and
    the commands of the paper's own class that the new one lacks taking their arguments and
    printing nothing (``gobble``: front matter such as ``\\email{..}``, ``\\runtitle{..}``)."""
    before = [g.split(" ", 2)[1:] for g in guards if g.startswith("options ")]
    gobbled = [g.split(" ", 1)[1] for g in guards if g.startswith("gobble ")]
    text = "".join(f"\\PassOptionsToPackage{{{opts}}}{{{pkg}}}\n" for pkg, opts in before)
    text += f"{CLASSES[setup]} % retypeset.py: class\n"
    if gobbled:
        text += _GOBBLE + "".join(f"\\providecommand{cs}{{\\retypeset@gobble}}\n" for cs in gobbled)
    return text


def _class_guards(paper: PaperFolder, log: str, guards: list[str]) -> list[str]:
    """Guards for a class change's errors: ``options PKG OPTS`` for a package the new class
    loads before the paper does with other options, ``gobble \\X`` for an undefined command
    that the paper's own class file names (never one of the paper's own macros, which
    would change what its formulas print)."""
    source = paper.tex.read_text(encoding="utf-8", errors="surrogateescape")
    out: list[str] = []
    for pkg in dict.fromkeys(_OPTION_CLASH_RE.findall(log)):
        used = re.search(
            r"^[ \t]*\\usepackage\s*\[([^\]]*)\]\s*\{[^}]*\b" + re.escape(pkg) + r"\b", source, re.M
        )
        guard = f"options {pkg} {' '.join(used.group(1).split())}" if used else ""
        if guard and not any(g.startswith(f"options {pkg} ") for g in guards):
            out.append(guard)
    found = _CLASS_RE.search(source)
    name = re.search(r"\{([^}]*)\}", found.group(0)) if found else None
    if name is None:
        return out
    own = paper.folder / f"{name.group(1).strip()}.cls"
    if not own.is_file():
        located = subprocess.run(
            ["kpsewhich", own.name], capture_output=True, text=True, check=False
        ).stdout.strip()
        own = Path(located) if located else own
    if not own.is_file():
        return out
    cls = own.read_text(encoding="latin-1")
    for cs in dict.fromkeys(_UNDEFINED_RE.findall(log)):
        if f"gobble {cs}" not in guards and re.search(re.escape(cs) + r"(?![A-Za-z@])", cls):
            out.append(f"gobble {cs}")
    return out


def build_paper(paper: PaperFolder, setup: str, out: Path, asis: tuple[int, int]) -> Built:
    """Build ``paper`` in ``setup`` under ``out/setup/`` (or reuse the cached build);
    ``asis`` is the unmodified compile's error count and CM math italic glyphs."""
    dst = out / "builds" / setup / paper.name
    built = Built(setup, paper, dst)
    digest = _digest(paper.folder, setup)
    record_path = dst / ".retypeset.json"
    record: dict[str, Any] = {}
    if record_path.is_file():
        record = json.loads(record_path.read_text(encoding="utf-8"))
        if record.get("digest") != digest or (record["ok"] and not built.pdf.is_file()):
            record = {}
    built.cached = bool(record)
    if not record:
        start = time.perf_counter()
        stubs = set(json.loads((out / "builds" / "asis" / paper.name / ".stubs.json").read_text()))
        for early in (False, True):
            log, errors, guards = _compile(paper, dst, setup, stubs, early=early)
            pages = _PAGES_RE.search(log)
            first_error = next((ln for ln in log.splitlines() if ln.startswith("! ")), "")
            record = {"digest": digest, "errors": errors, "guards": list(guards), "reason": ""}
            record.update(pages=int(pages.group(1)) if pages else 0, early=early)
            record["ok"] = built.pdf.is_file() and record["pages"] > 0
            if not record["ok"]:
                record["reason"] = f"no PDF: {first_error[:80]}"
            elif errors > asis[0]:
                record["ok"] = False
                record["reason"] = f"{errors} errors (unmodified: {asis[0]}): {first_error[:70]}"
            if record["ok"]:
                break
        record["seconds"] = round(time.perf_counter() - start, 1)
    if record["ok"] and "cm_italic" not in record:
        record["cm_italic"] = _cm_italic_glyphs(built.pdf)
    record_path.write_text(json.dumps(record, indent=1), encoding="utf-8")
    built.ok, built.reason, built.pages = record["ok"], record["reason"], record["pages"]
    built.guards, built.seconds = tuple(record["guards"]), record.get("seconds", 0.0)
    # figures keep their own fonts: the setup took when most of the paper's CM math italic
    # glyphs are gone, not when none is left
    built.cm_math = built.ok and asis[1] > 0 and record["cm_italic"] >= 0.5 * asis[1]
    if built.cm_math:
        built.reason = (
            f"math italic still CM/LM ({record['cm_italic']} of {asis[1]} glyphs): "
            "the setup did not take"
        )
    return built


def _cm_italic_glyphs(pdf: Path) -> int:
    """Glyphs a PDF sets in Computer/Latin Modern math italic (what a setup replaces)."""
    import pymupdf  # as the reader

    count = 0
    with pymupdf.open(pdf) as doc:
        for page in doc:
            for block in page.get_text("rawdict")["blocks"]:
                for line in block.get("lines", ()):
                    for span in line["spans"]:
                        if _CM_MATH_RE.search(span["font"]):
                            count += len(span["chars"])
    return count


def _asis(paper: PaperFolder, out: Path) -> tuple[int, int]:
    """The unmodified paper's own pdflatex compile (cached like the others): its error count
    and its CM math italic glyphs."""
    dst = out / "builds" / "asis" / paper.name
    digest = _digest(paper.folder, "asis")
    record_path = dst / ".retypeset.json"
    record: dict[str, Any] = {}
    if record_path.is_file() and (dst / ".stubs.json").is_file():
        record = json.loads(record_path.read_text(encoding="utf-8"))
        if record.get("digest") != digest:
            record = {}
    if not record:
        stubs: set[str] = set()
        log, errors, _ = _compile(paper, dst, "asis", stubs)
        (dst / ".stubs.json").write_text(json.dumps(sorted(stubs)), encoding="utf-8")
        record = {"digest": digest, "errors": errors}
    pdf = dst / (paper.tex.stem + ".pdf")
    if "cm_italic" not in record:
        record["cm_italic"] = _cm_italic_glyphs(pdf) if pdf.is_file() else 0
    record_path.write_text(json.dumps(record, indent=1), encoding="utf-8")
    return int(record["errors"]), int(record["cm_italic"])


def build_setup(papers: list[PaperFolder], setup: str, out: Path, jobs: int) -> list[Built]:
    """Build every paper in ``setup`` (under ``out/builds/setup/``) and lay out
    ``out/setup/`` as a papers folder: a link to each paper that counts (compiled, setup in
    force) and ``SOURCES.tsv`` naming them. Papers that do not count are not there at all
    (``paper_folders`` would otherwise take a folder missing from the manifest, and its
    largest PDF, a figure or a failed build, as a paper)."""

    def one(paper: PaperFolder) -> Built:
        return build_paper(paper, setup, out, _asis(paper, out))

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        built = list(pool.map(one, papers))
    layout = out / setup
    if layout.exists():
        shutil.rmtree(layout)
    layout.mkdir(parents=True)
    with (layout / "SOURCES.tsv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["name", "main_tex", "pdf"])
        for b in built:
            if b.ok and not b.cm_math:
                (layout / b.paper.name).symlink_to(b.folder.resolve(), target_is_directory=True)
                writer.writerow([b.paper.name, b.tex.name, b.pdf.name])
    return built


def scored_folders(out: Path, setup: str) -> list[PaperFolder]:
    """The papers of a built setup that count, as ``pdf_equations.py --papers`` reads them."""
    return paper_folders(out / setup)


def _setups(arg: str) -> list[str]:
    if arg == "dev":
        return list(DEV_SETUPS)
    if arg == "dev2":
        return list(DEV2_SETUPS)
    if arg == "dev3":
        return list(DEV3_SETUPS)
    if arg == "heldout":
        return list(HELDOUT_SETUPS)
    if arg == "heldout2":
        return list(HELDOUT2_SETUPS)
    if arg == "dev4":
        return list(DEV4_SETUPS)
    if arg in ("dev5", "heldout4"):  # heldout4 is dev5's name before fonts12
        return list(DEV5_SETUPS)
    if arg in ("dev6", "heldout5"):  # heldout5 is dev6's name before fonts13
        return list(DEV6_SETUPS)
    if arg in ("dev7", "heldout6"):  # heldout6 is dev7's name before fonts14
        return list(DEV7_SETUPS)
    if arg == "heldout7":
        return list(HELDOUT7_SETUPS)
    if arg == "all":
        return list(SETUPS)
    if arg == "both":
        return [*DEV_SETUPS, *HELDOUT_SETUPS]
    names = [s.strip() for s in arg.split(",") if s.strip()]
    unknown = [s for s in names if s not in SETUPS]
    if unknown:
        raise SystemExit(f"unknown setups {unknown}; known: {', '.join(SETUPS)}")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=Path, default=shared_data_dir() / "papers")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--setups",
        default="both",
        help="dev, dev2, ..., dev7, heldout, heldout2, heldout7, both (default), all, or NAME,NAME",
    )
    parser.add_argument("--build-only", action="store_true", help="compile, do not score")
    parser.add_argument("--ocr", action="store_true", help="score OCR LaTeX of the crops too")
    parser.add_argument("--jobs", type=int, default=2, help="pdflatex runs side by side")
    parser.add_argument("--worst", type=int, default=3, help="worst papers listed per setup")
    args = parser.parse_args(argv)
    if shutil.which("pdflatex") is None:
        parser.error("pdflatex not found: run scripts/install_tex.sh")
    papers = paper_folders(args.papers)
    if not papers:
        parser.error(f"no paper folders under {args.papers}")
    setups = _setups(args.setups)
    ocr = None if args.build_only else load_ocr() if args.ocr else None
    print(f"code: {code_version()}; LaTeX path: {'ocr' if ocr is not None else 'text layer'}")
    rows: list[list[object]] = []
    skipped: list[list[object]] = []
    for setup in setups:
        start = time.perf_counter()
        built = build_setup(papers, setup, args.out, args.jobs)
        compiled = [b for b in built if b.ok and not b.cm_math]
        fresh = sum(not b.cached for b in built)
        print(
            f"{setup}: {len(compiled)}/{len(built)} papers count "
            f"({fresh} compiled now, {time.perf_counter() - start:.0f} s)",
            flush=True,
        )
        skipped.extend([setup, b.paper.name, b.reason] for b in built if b.reason)
        if args.build_only:
            continue
        total = PdfEquationScore()
        per_paper: list[tuple[float, str]] = []
        # misses are written for development setups only: held-out failures are never read
        lines: list[str] | None = [] if setup not in UNREAD_SETUPS else None
        for paper in scored_folders(args.out, setup):
            report: list[str] | None = [] if lines is not None else None
            res = score_pdf_equations(paper, ocr=ocr, report=report)
            total += res
            if res.rows:
                per_paper.append((res.latex_ok, paper.name))
            if lines is not None:
                lines.append(f"{paper.name}: rows {res.rows} latex@0.8 {res.latex_ok:.1%}")
                lines.extend(f"   {line}" for line in report or [])
        if lines is not None:
            kind = "ocr" if ocr is not None else "text"
            misses = args.out / "builds" / setup / f"misses-{kind}.txt"
            misses.write_text("\n".join(lines) + "\n", encoding="utf-8")
        worst = ", ".join(f"{n} {v:.0%}" for v, n in sorted(per_paper)[: args.worst])
        if setup in UNREAD_SETUPS:
            worst = "(held out: not named)"  # which papers fail there is not to be read
        split = (
            "dev"
            if setup in DEV_SETUPS
            else "dev2"
            if setup in DEV2_SETUPS
            else "dev3"
            if setup in DEV3_SETUPS
            else "held out"
            if setup in HELDOUT_SETUPS
            else "held out 2"
            if setup in HELDOUT2_SETUPS
            else "dev4"
            if setup in DEV4_SETUPS
            else "dev5"
            if setup in DEV5_SETUPS
            else "dev6"
            if setup in DEV6_SETUPS
            else "dev7"
            if setup in DEV7_SETUPS
            else "held out 7"
            if setup in HELDOUT7_CANDIDATES
            else "-"
        )
        rows.append(
            [
                setup,
                split,
                f"{len(compiled)}/{len(built)}",
                total.rows,
                f"{total.recall:.1%}",
                f"{total.precision:.1%}",
                f"{total.latex_ok:.1%}",
                f"{total.mean_similarity:.2f}",
                f"{min(per_paper)[0]:.1%}" if per_paper else "-",
                worst,
            ]
        )
    if rows:
        header = (
            "setup", "split", "papers", "rows", "det_recall", "precision", "latex@0.8",
            "mean_sim", "lowest", "worst papers",
        )  # fmt: skip
        print_table(header, rows)
    if skipped:
        print_table(("setup", "paper", "left out of the rate"), skipped)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
