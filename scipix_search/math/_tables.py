"""Symbol tables shared by the parser, the canonical form and the symbol layout tree."""

from __future__ import annotations

# Tokens that only change spacing, size or numbering: dropped from the canonical form.
DROP = frozenset(
    ["\\ "]
    + r"""\displaystyle \textstyle \scriptstyle \scriptscriptstyle \limits \nolimits \nonumber
    \notag \, \; \: \! \> \  ~ \quad \qquad \enspace \thinspace \medspace \thickspace \negthinspace
    \negmedspace \negthickspace \hfill \hline \big \Big \bigg \Bigg \bigl \bigr \Bigl \Bigr \biggl
    \biggr \Biggl \Biggr \bigm \Bigm \biggm \Biggm \middle \it \mit \boldmath \unboldmath
    \mathstrut \strut \allowbreak \noindent \centering \relax \protect \displaybreak \nolinebreak
    \linebreak \tiny \scriptsize \footnotesize \small \normalsize \large \Large \LARGE \huge \Huge
    \space \unitlength \thicklines \smallskip \medskip \bigskip \vfill \vline \cr \left. $ \lefteqn \smash""".split()
)
# Commands dropped together with their (one) argument.
DROP_ARG = frozenset(
    r"""\label \hspace \vspace \phantom \hphantom \vphantom \color \linethickness""".split()
)
# Commands followed by a TeX dimension (``\kern-3mu``) that are dropped with it.
DROP_DIM = frozenset(r"\kern \mkern \mskip \hskip \vskip \raise \lower \hspace*".split())
# Old-style font switches ``{\bf x}``: the rest of the group takes the font.
FONT_SWITCH = {
    r"\bf": r"\mathbf",
    r"\cal": r"\mathcal",
    r"\sf": r"\mathsf",
    r"\tt": r"\mathtt",
    r"\Bbb": r"\mathbb",
    r"\rm": r"\mathrm",  # {\rm NL} prints what \mathrm{NL} prints
    r"\sl": "",
    r"\em": "",
}
# Fonts that change meaning (kept); others only change appearance (dropped).
SEMANTIC_FONTS = frozenset(r"\mathbf \mathcal \mathbb \mathfrak \mathsf \mathtt \mathscr".split())
PLAIN_FONTS = frozenset(r"\mathit \mathop \mathbin \mathrel \mathord \mathnormal".split())
TEXT_CMDS = frozenset(
    r"""\text \mbox \textrm \hbox \textnormal \textit \textbf \textup \textsf \texttt \emph
    \makebox \fbox""".split()
)
# Command aliases applied to every token.
ALIAS = {
    r"\dfrac": r"\frac",
    r"\tfrac": r"\frac",
    r"\cfrac": r"\frac",
    r"\dbinom": r"\binom",
    r"\tbinom": r"\binom",
    r"\bm": r"\mathbf",
    r"\boldsymbol": r"\mathbf",
    r"\pmb": r"\mathbf",
    r"\Bbb": r"\mathbb",
    r"\bold": r"\mathbf",
    r"\widehat": r"\hat",
    r"\widetilde": r"\tilde",
    r"\overline": r"\bar",
    r"\overrightarrow": r"\vec",
    r"\stackrel": r"\overset",
    r"\to": r"\rightarrow",
    r"\gets": r"\leftarrow",
    r"\le": r"\leq",
    r"\ge": r"\geq",
    r"\leqslant": r"\leq",
    r"\geqslant": r"\geq",
    r"\ne": r"\neq",
    r"\lbrace": r"\{",
    r"\rbrace": r"\}",
    r"\lbrack": "[",
    r"\rbrack": "]",
    r"\vert": "|",
    r"\lvert": "|",
    r"\rvert": "|",
    r"\|": r"\Vert",
    r"\parallel": r"\Vert",  # the same glyph: a reader of the page cannot tell them apart
    r"\lVert": r"\Vert",
    r"\rVert": r"\Vert",
    r"\land": r"\wedge",
    r"\lor": r"\vee",
    r"\lnot": r"\neg",
    r"\dots": r"\ldots",
    r"\dotsc": r"\ldots",
    r"\dotsb": r"\cdots",
    r"\dag": r"\dagger",
    r"\ast": "*",  # the same glyph in math mode
    r"\sp": "^",
    r"\sb": "_",
    r"\newline": "\\\\",
    r"\implies": r"\Longrightarrow",
    r"\iff": r"\Longleftrightarrow",
    r"\bmod": r"\mod",
    r"\cdotp": r"\cdot",
    r"\backslash": r"\setminus",  # one glyph of the symbol font (binary or ordinary)
    r"\vcentcolon": ":",  # mathtools' colon centred on the axis: the same glyph
    r"\textasciicircum": "^",
}
# Arity of commands with arguments (after aliasing).
ARITY = {
    r"\frac": 2,
    r"\binom": 2,
    r"\overset": 2,
    r"\underset": 2,
    r"\textcolor": 2,
    r"\raisebox": 2,
    r"\setlength": 2,
    r"\sqrt": 1,
    r"\operatorname": 1,
    r"\mathrm": 1,
    r"\not": 1,
    r"\pmod": 1,
    r"\tag": 1,
    r"\tag*": 1,
    r"\ref": 1,
    r"\eqref": 1,
    r"\cite": 1,
    r"\boxed": 1,
    r"\cancel": 1,
    r"\underbrace": 1,
    r"\overbrace": 1,
    r"\underline": 1,
}
ACCENTS = frozenset(
    r"""\hat \bar \tilde \vec \dot \ddot \dddot \check \breve \acute \grave \mathring
    \overleftarrow \overleftrightarrow \underleftarrow \underrightarrow""".split()
)
for _name in ACCENTS | SEMANTIC_FONTS | PLAIN_FONTS | TEXT_CMDS:
    ARITY.setdefault(_name, 1)
INFIX = {r"\over": r"\frac", r"\choose": r"\binom", r"\atop": r"\binom", r"\above": r"\frac"}
# Named functions that LaTeX has a command for (``\\operatorname{sin}`` is ``\\sin``).
FUNCTIONS = frozenset(
    """sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh coth log ln lg exp det dim ker
    deg gcd hom arg lim liminf limsup sup inf max min Pr mod""".split()
)
KNOWN_FUNCTION_CMDS = frozenset("\\" + f for f in FUNCTIONS)
# Environments whose ``&`` and ``\\`` only align lines: flattened to lines.
ALIGN_ENVS = frozenset(
    """align align* aligned alignat alignat* split gather gather* gathered equation equation*
    eqnarray eqnarray* multline multline* flalign flalign* displaymath math""".split()
)
# Environments renamed to the canonical matrix name (the column spec is presentation only).
MATRIX_ALIAS = {
    "array": "matrix",
    "tabular": "matrix",
    "subarray": "matrix",
    "smallmatrix": "matrix",
}
# Matrices with built-in delimiters: ``\begin{bmatrix}`` prints what ``\left[ \begin{matrix}
# ... \right]`` prints (the form OCR and other tools write), so both get one canonical form.
DELIMITED_MATRIX = {
    "bmatrix": ("[", "]"),
    "pmatrix": ("(", ")"),
    "vmatrix": ("|", "|"),
    "Vmatrix": ("\\Vert", "\\Vert"),
    "Bmatrix": ("\\{", "\\}"),
}
GREEK = frozenset(
    "\\" + g
    for g in """alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa
    varkappa lambda mu nu xi omicron pi varpi rho varrho sigma varsigma tau upsilon phi varphi
    chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega""".split()
)
NOT_MAP = {"=": r"\neq", r"\in": r"\notin", r"\subset": r"\not\subset", r"\equiv": r"\not\equiv"}
LEFT_DELIMS_EXTRA = frozenset({".", "(", ")", "[", "]", "|", "/", "<", ">"})
# Relation symbols that split a row into sides and tell an alignment's lines from a matrix's
# cells (canonical tokens: the parser applies ALIAS, so \le/\to arrive as \leq/\rightarrow).
RELATION_TOKENS = frozenset(
    r"""= < > \neq \leq \geq \leqslant \geqslant \approx \equiv \sim \simeq \cong \propto
    \rightarrow \Rightarrow \Leftarrow \Leftrightarrow \longrightarrow \Longrightarrow \iff
    \mapsto \in \notin \subset \subseteq \supset \supseteq \ll \gg \doteq \triangleq \coloneqq
    \prec \succ \preceq \succeq \asymp \models \vdash""".split()
)
