"""Mixed queries (words and ``$math$`` in one string) on the real papers: paper@3 beside the
same words alone and the same formula alone (issue 15).

    python benchmarks/mixed_search.py [--size 100000] [--per-paper 16] [--words 4]
        [--pdf] [--cache-dir DIR]

Store: the 18 papers of ../shared/data/papers, each ingested by the Indexer from its LaTeX
source (``--pdf``: source and PDF as one document, passages from the PDF; ~40 s of CPU a
paper), plus the distractor formulas
of ``benchmarks/subformula_search.py`` (the real formulas of ../shared/data/formulas and seeded
recombinations, 40 to a formula-list document) up to ``--size`` equations. With
``--cache-dir`` the store is kept there and reused (ingestion is the slow part).

Queries, from each paper's LaTeX source (never from the store):

* inline: a sentence of a source passage (``ingest.parse_latex_source``, inline math kept as
  ``$...$``) holding an inline formula of >= 5 typed tokens; the formula is its largest one;
* display: the sentence the source puts before a labelled display
  (``equation_context.source_sentence``), with the display's first row (5 to 40 typed tokens);
* the words are ``--words`` content words of that sentence (3+ letters, no stop words, math
  dropped), drawn with a fixed seed and kept in sentence order: what a reader remembers, not
  the sentence, which passage search would find verbatim.

Each query is searched through ``search.search_mixed`` (the CLI's and the API's ``q=`` path):
``words $formula$`` (mixed), ``words`` (text only), ``$formula$`` (formula only); and again
with the formula as a reader would remember it rather than as the source has it, where the
formula has such a form: ``part``, the largest part a reader would type
(``subformula_search.reader_parts``: a side, a fraction or a big operator with its body, >= 6
tokens and <= 70 % of the formula), and ``renamed``, the formula with its variables renamed
(``math.rename_variables``). Each column counts the queries that have its form (n per column).
paper@3: the query's paper among the first 3 documents. Latency: the whole ``search_mixed``
call, after an untimed pass of the mixed queries (a serving process has its candidates
parsed), wall time and this process's CPU time (which a shared machine does not inflate).
Tables for the test half (papers at odd positions in name order), the dev half (even positions: what any
fusion weight is chosen on) and all.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from sqlalchemy import select  # noqa: E402

from benchmarks.equation_context import source_sentence  # noqa: E402
from benchmarks.subformula_search import (  # noqa: E402
    build_corpus,
    cache_stem,
    encode,
    reader_parts,
    tuple_index,
)
from scipix_search.config import Settings  # noqa: E402
from scipix_search.eval import PaperFolder, paper_folders, print_table, shared_data_dir  # noqa: E402
from scipix_search.exceptions import LatexParseError, ScipixError  # noqa: E402
from scipix_search.ingest import (  # noqa: E402
    ParsedDocument,
    ParsedEquation,
    parse_latex_source,
    read_tex_equations,
    sha256_bytes,
)
from scipix_search.math import canonical_latex, rename_variables  # noqa: E402
from scipix_search.pipeline import Indexer  # noqa: E402
from scipix_search.search import (  # noqa: E402
    EquationSearcher,
    PassageSearcher,
    TupleIndex,
    save_tuple_index,
    search_mixed,
)
from scipix_search.store import Equation, repo  # noqa: E402
from scipix_search.store.repo import EquationExtras  # noqa: E402

SHARED = shared_data_dir()
MIN_TOKENS = 5
MAX_DISPLAY_TOKENS = 40
KINDS = (
    "text",
    "mixed",
    "formula",
    "mixed part",
    "formula part",
    "mixed renamed",
    "formula renamed",
)
_MATH = re.compile(r"(?<!\\)\$(?:\\.|[^$\\])+\$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_WORD = re.compile(r"[A-Za-z]{3,}")
STOP_WORDS = frozenset(
    """the and for are but not you all any can had her was one our out has have from they this
    that with which their there then than these those into onto also such when where while
    what who whom whose how its his she him been being were will would should could may might
    must shall does did doing done let each both more most other some only same very over
    under above below between through about after before again further once here why just
    thus hence since because however therefore where whereas given use used using see show
    shown follows following eq eqs equation equations fig figure section table""".split()
)


@dataclass(frozen=True)
class Query:
    """One sentence's words and its formula, from the paper at position ``paper``."""

    paper: int
    words: str
    formula: str
    display: bool
    dev: bool
    part: str | None = None  # the largest part a reader would type, if the formula has one
    renamed: str | None = None  # the formula with its variables renamed

    def text(self, kind: str) -> str | None:
        """The query string searched for ``kind`` (see ``KINDS``); None: no such form."""
        how, _, form = kind.partition(" ")
        formula = {"": self.formula, "part": self.part, "renamed": self.renamed}[form]
        if how == "text":
            return self.words
        if formula is None:
            return None
        return f"{self.words} ${formula}$" if how == "mixed" else f"${formula}$"


def typed_tokens(latex: str) -> int | None:
    """Tokens a reader types (the canonical form's braces are not theirs); None: no parse."""
    try:
        canonical = canonical_latex(latex)
    except LatexParseError:
        return None
    return sum(tok not in ("{", "}") for tok in canonical.split())


def content_words(text: str) -> list[str]:
    """The sentence's words a reader might type: 3+ letters, no stop words, no math."""
    words = (w.lower() for w in _WORD.findall(_MATH.sub(" ", text)))
    return list(dict.fromkeys(w for w in words if w not in STOP_WORDS))


def pick_words(sentence: str, n: int, rng: random.Random) -> str | None:
    """``n`` content words of the sentence, drawn by ``rng`` and kept in sentence order."""
    words = content_words(sentence)
    if len(words) < n:
        return None
    keep = sorted(rng.sample(range(len(words)), n))
    return " ".join(words[i] for i in keep)


def inline_queries(passages: list[str], n_words: int, rng: random.Random) -> list[tuple[str, str]]:
    """(words, formula) for the sentences of ``passages`` holding a typeable inline formula."""
    out = []
    for passage in passages:
        # math first, so that a '.' inside $...$ does not end a sentence
        maths = _MATH.findall(passage)
        pieces = _MATH.split(passage)  # text, then math i before text i + 1
        protected = "".join(
            piece + (f"\x00{i}\x00" if i < len(maths) else "") for i, piece in enumerate(pieces)
        )
        for sentence in _SENTENCE_END.split(protected):
            formulas = [maths[int(i)][1:-1].strip() for i in re.findall(r"\x00(\d+)\x00", sentence)]
            sized = [(typed_tokens(f), f) for f in formulas]
            sized = [(t, f) for t, f in sized if t is not None and t >= MIN_TOKENS]
            if not sized:
                continue
            words = pick_words(re.sub(r"\x00\d+\x00", " ", sentence), n_words, rng)
            if words is not None:
                out.append((words, max(sized)[1]))
    return out


def display_queries(paper: PaperFolder, n_words: int, rng: random.Random) -> list[tuple[str, str]]:
    """(words, first row) for the labelled displays with a sentence before them in the source."""
    folder = paper.tex.parent
    texts = [p.read_text(errors="replace") for p in sorted(folder.rglob("*.tex"))]
    out = []
    for eq in read_tex_equations(paper.tex):
        if not eq.display or eq.row != 0 or not eq.label:
            continue
        size = typed_tokens(eq.latex)
        if size is None or not MIN_TOKENS <= size <= MAX_DISPLAY_TOKENS:
            continue
        sentence = source_sentence(texts, eq.label)
        words = pick_words(sentence, n_words, rng) if sentence else None
        if words is not None:
            out.append((words, eq.latex))
    return out


def build_queries(
    papers: list[PaperFolder], *, per_paper: int, n_words: int, seed: int
) -> list[Query]:
    """Up to ``per_paper`` queries a paper, half inline and half display where both exist."""
    queries = []
    for p, paper in enumerate(papers):
        rng = random.Random(f"{seed}:{paper.name}")
        try:
            passages = [x.text for x in parse_latex_source(paper.tex).passages]
            inline = inline_queries(passages, n_words, rng)
            display = display_queries(paper, n_words, rng)
        except ScipixError as exc:
            print(f"no queries from {paper.name}: {exc}")
            continue
        n_display = min(len(display), max(per_paper // 2, per_paper - len(inline)))
        chosen = [(w, f, True) for w, f in rng.sample(display, n_display)]
        n_inline = min(len(inline), per_paper - n_display)
        chosen += [(w, f, False) for w, f in rng.sample(inline, n_inline)]
        queries += [Query(p, w, f, d, p % 2 == 0, *remembered(f)) for w, f, d in chosen]
    return queries


def remembered(formula: str) -> tuple[str | None, str | None]:
    """The formula as a reader may remember it: its largest typeable part, and renamed."""
    try:
        parts = reader_parts(formula)
        renamed: str | None = rename_variables(formula)
    except LatexParseError:
        return None, None
    part = max(parts, key=lambda latex: typed_tokens(latex) or 0) if parts else None
    return part, (renamed if renamed != formula else None)


def build_store(
    papers: list[PaperFolder],
    *,
    size: int,
    seed: int,
    pdf: bool,
    cache: Path | None,
    workers: int,
) -> tuple[Indexer, list[int | None]]:
    """The store (reused from ``cache``) and each paper's document id."""
    name = f"mixed-{size}-seed{seed}-{'pair' if pdf else 'source'}"
    root = (cache or Path(tempfile.mkdtemp(prefix="scipix-mixed-"))) / name
    indexer = Indexer(Settings(data_dir=root / "data"))
    doc_ids: list[int | None] = []
    for paper in papers:
        if pdf:
            outcome = indexer.ingest_pair(paper.tex, paper.pdf)
            if outcome.status == "failed":
                print(f"{paper.name}: {outcome.reason}; its PDF alone")
                outcome = indexer.ingest_file(paper.pdf)
        else:
            outcome = indexer.ingest_file(paper.tex)
        if outcome.status == "failed":
            print(f"{paper.name}: not stored ({outcome.reason})")
        doc_ids.append(outcome.document_id)
    done = root / "distractors.done"
    if not done.exists():
        add_distractors(indexer, size, seed, cache, workers)
        done.write_text("stored\n")
    return indexer, doc_ids


def add_distractors(
    indexer: Indexer, size: int, seed: int, cache: Path | None, workers: int
) -> None:
    """``subformula_search``'s non-paper formulas, 40 to a document, rows first and vectors
    in one index build at the end (through the Indexer, every document would rewrite the
    whole FAISS file: hours at 100k).

    Their vectors and tuple keys are ``subformula_search``'s (the same encoder and
    ``tuple_keys``, kept in ``cache`` by either benchmark), so 100k formulas are parsed once
    for both; the tuple file is written with the store's own ``save_tuple_index`` and healed
    by the searcher at open like any other (the papers' equations are parsed there).
    Their MathML is not computed: no search reads it.
    """
    corpus, _ = build_corpus(size, random.Random(seed))
    stem = cache / cache_stem(corpus, size, seed) if cache is not None else None
    vectors = encode(corpus, workers, stem.with_suffix(".npy") if stem else None)
    keys = tuple_index(
        corpus, workers, stem.with_suffix(".tuples.npz") if stem else None
    ).row_keys()
    by_doc: dict[int, list[int]] = {}
    for row, doc in enumerate(corpus.doc):
        if doc >= 1000:
            by_doc.setdefault(doc, []).append(row)
    stored_ids: list[int] = []
    stored_rows: list[int] = []
    for doc, rows in by_doc.items():
        parsed = ParsedDocument(
            source=f"distractors-{doc:06d}.txt",
            sha256=sha256_bytes("\n".join(corpus.latex[r] for r in rows).encode()),
            kind="collection",
            title=None,
            equations=[
                ParsedEquation(corpus.latex[r], None, None, True, "collection", i)
                for i, r in enumerate(rows)
            ],
        )
        extras = [EquationExtras(corpus.canonical[r], None, vectors[r]) for r in rows]
        doc_id = indexer.store.add_document(
            parsed,
            passage_vectors=np.zeros((0, indexer.models.text_encoder.dim), np.float32),
            equation_extras=extras,
            passage_spec=indexer.passage_spec(),
            equation_spec=indexer.formula_spec(),
            write_index=False,
        )
        with indexer.store.session() as session:
            ids = session.scalars(
                select(Equation.id).where(Equation.document_id == doc_id).order_by(Equation.order)
            ).all()
        stored_ids += ids
        stored_rows += rows
    indexer.sync_indexes()
    searcher = EquationSearcher(indexer.store, indexer.models.formula_encoder)
    order = np.argsort(stored_ids)
    save_tuple_index(
        searcher.tuples_path(),
        TupleIndex([keys[stored_rows[i]] for i in order], np.asarray(stored_ids)[order]),
        np.asarray([zlib.crc32(corpus.latex[stored_rows[i]].encode()) for i in order]),
    )


def run(
    queries: list[Query],
    doc_ids: list[int | None],
    search: Callable[[str], list[int]],
) -> dict[str, list[tuple[bool, float, float] | None]]:
    """Per kind, (paper among the first 3, seconds, CPU seconds) for each query (None: no
    such form). The CPU time is this process's (every thread): on a machine shared with
    other work the wall time is mostly waiting for a core, the CPU time is not."""
    for q in queries:  # untimed pass: candidates parsed, as in a serving process
        for kind in KINDS:
            if kind.startswith("mixed") and (text := q.text(kind)) is not None:
                search(text)
    out: dict[str, list[tuple[bool, float, float] | None]] = {kind: [] for kind in KINDS}
    for q in queries:  # kinds round-robin, so a change of load hits each column alike
        for kind in KINDS:
            text = q.text(kind)
            if text is None:
                out[kind].append(None)
                continue
            started, cpu = time.perf_counter(), time.process_time()
            documents = search(text)
            out[kind].append(
                (
                    doc_ids[q.paper] in documents[:3],
                    time.perf_counter() - started,
                    time.process_time() - cpu,
                )
            )
    return out


def table(
    queries: list[Query],
    results: dict[str, list[tuple[bool, float, float] | None]],
    keep: Callable[[Query], bool],
) -> list[list[str]]:
    picks = [i for i, q in enumerate(queries) if keep(q)]

    def cells(
        subset: list[int], value: Callable[[list[tuple[bool, float, float]]], str]
    ) -> list[str]:
        out = []
        for kind in KINDS:
            got = [r for i in subset if (r := results[kind][i]) is not None]
            out.append(value(got) if got else "-")
        return out

    rows = [["queries"] + cells(picks, lambda got: str(len(got)))]
    for label, subset in (
        ("paper@3", picks),
        ("paper@3 inline", [i for i in picks if not queries[i].display]),
        ("paper@3 display", [i for i in picks if queries[i].display]),
    ):
        rows.append([label] + cells(subset, lambda got: f"{np.mean([r[0] for r in got]):.3f}"))
    for p in (50, 99):
        rows.append(
            [f"latency p{p} ms"]
            + cells(picks, lambda got, p=p: f"{np.percentile([r[1] * 1000 for r in got], p):.1f}")
        )
    for p in (50, 99):
        rows.append(
            [f"CPU p{p} ms"]
            + cells(picks, lambda got, p=p: f"{np.percentile([r[2] * 1000 for r in got], p):.1f}")
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="equations in the store, about")
    parser.add_argument("--per-paper", type=int, default=16, help="queries per paper, at most")
    parser.add_argument("--words", type=int, default=4, help="content words per query")
    parser.add_argument(
        "--pdf", action="store_true", help="ingest each source with its PDF (slow: PDF parsing)"
    )
    parser.add_argument(
        "--no-tuples", action="store_true", help="equation candidates from FAISS alone"
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="keep the store here between runs (and the distractors' vectors and tuple keys, "
        "shared with subformula_search.py --cache-dir)",
    )
    parser.add_argument("--workers", type=int, default=1, help="processes encoding distractors")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()

    papers = paper_folders(SHARED / "papers")
    started = time.perf_counter()
    indexer, doc_ids = build_store(
        papers,
        size=args.size,
        seed=args.seed,
        pdf=args.pdf,
        cache=args.cache_dir,
        workers=args.workers,
    )
    queries = build_queries(papers, per_paper=args.per_paper, n_words=args.words, seed=args.seed)
    queries = [q for q in queries if doc_ids[q.paper] is not None]
    passages = PassageSearcher(indexer.store, indexer.models.text_encoder)
    equations = EquationSearcher(indexer.store, indexer.models.formula_encoder)
    if not args.no_tuples:
        equations.build_tuples()  # as the CLI and the API do; kept in the store's folder
    build_s = time.perf_counter() - started

    def search(query: str) -> list[int]:
        hits = search_mixed(query, passages=passages, equations=equations, k=3)
        return [d.document_id for d in hits]

    results = run(queries, doc_ids, search)
    with indexer.store.session() as session:
        counts = repo.count_rows(session=session)
    print(
        f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; store: "
        f"{counts['documents']:,} documents, {counts['equations']:,} equations, "
        f"{counts['passages']:,} passages; {len(queries)} queries "
        f"({sum(q.display for q in queries)} display, {sum(not q.display for q in queries)} "
        f"inline), {args.words} words each; ready in {build_s:.0f} s"
    )
    for label, keep in (
        ("test half (odd positions)", lambda q: not q.dev),
        ("dev half (even positions)", lambda q: q.dev),
        ("all", lambda q: True),
    ):
        print_table(
            ["metric", *KINDS],
            table(queries, results, keep),
            title=f"\n{label}, {counts['equations']:,} equations",
        )


if __name__ == "__main__":
    main()
