"""Real arXiv papers (../shared/data/papers): titles, abstract sentences and paraphrases."""

from pathlib import Path

import pytest

from scipix_search.config import Settings
from scipix_search.pipeline import Indexer
from scipix_search.search import PassageSearcher

pytestmark = [pytest.mark.model, pytest.mark.shared, pytest.mark.slow]

# paper folder -> (compiled PDF, a sentence of its abstract (verbatim), a paraphrase of one
# passage, words that only the paraphrased passage contains)
PAPERS = {
    "matni_robust_sls": (
        "main.pdf",
        "We generalize the System Level Synthesis (SLS) framework to systems defined by bounded "
        "causal linear operators",
        "control design that copes with the gap between what a mathematical model predicts and "
        "how the real plant actually behaves",
        "unavoidable mismatch",
    ),
    "sharma_directedinfo_gail": (
        "main.pdf",
        "The use of imitation learning to learn a single policy for a complex task that has "
        "multiple modes or hierarchical structure can be challenging.",
        "someone at the wheel splits the job into smaller steps like staying in lane, turning "
        "and stopping",
        "driving a car",
    ),
    "vial_ferromtm": (
        "manuscript.pdf",
        "We investigate numerically the homogenized permittivities of composites made of low "
        "index dielectric inclusions in a ferroelectric matrix under a static electric field.",
        "ferroelectrics are used in tunable microwave components such as phase shifters, filters "
        "and antennas whose beam can be steered",
        "reconfigurable microwave devices",
    ),
    "wilde_edo": (
        "main.pdf",
        "In this paper we propose a novel method for learning how algorithms perform.",
        "normally algorithms are judged by running them on a few standard benchmark data sets "
        "and comparing a fixed score",
        "benchmark datasets",
    ),
}


@pytest.fixture(scope="module")
def indexed(shared_dir: Path, tmp_path_factory, text_encoder):
    settings = Settings(data_dir=tmp_path_factory.mktemp("papers"), database_url=None)
    indexer = Indexer(settings, text_encoder=text_encoder)
    doc_ids = {}
    titles = {}
    for folder, (pdf, _, _, _) in PAPERS.items():
        outcome = indexer.ingest_file(shared_dir / "papers" / folder / pdf)
        assert outcome.status == "added", outcome.reason
        doc_ids[folder] = outcome.document_id
    with indexer.store.session() as session:
        from scipix_search.store import repo

        for folder, doc_id in doc_ids.items():
            titles[folder] = repo.get_document(session=session, document_id=doc_id).title
    return PassageSearcher(indexer.store, text_encoder), doc_ids, titles


def _rank(hits, doc_id) -> int | None:
    for rank, hit in enumerate(hits, 1):
        if hit.document_id == doc_id:
            return rank
    return None


def test_real_papers_titles_and_abstracts_rank_their_paper_first(indexed):
    searcher, doc_ids, titles = indexed
    ranks = []
    for folder, (_, abstract, _, _) in PAPERS.items():
        assert titles[folder], folder
        for query in (titles[folder], abstract):
            hits = searcher.search(query, k=10)
            ranks.append(_rank(hits, doc_ids[folder]))
            assert hits[0].document_id == doc_ids[folder], (folder, query, hits[0])
    mrr = sum(1 / r for r in ranks if r) / len(ranks)
    print(f"\nreal papers: title+abstract MRR = {mrr:.3f} over {len(ranks)} queries")
    assert mrr == 1.0


def test_real_papers_paraphrase_finds_its_passage_in_top5(indexed):
    searcher, doc_ids, _ = indexed
    ranks = []
    for folder, (_, _, paraphrase, marker) in PAPERS.items():
        hits = searcher.search(paraphrase, k=5)
        rank = next(
            (
                r
                for r, h in enumerate(hits, 1)
                if h.document_id == doc_ids[folder] and marker in (h.text or "")
            ),
            None,
        )
        ranks.append(rank)
        assert rank is not None, (folder, paraphrase, [(h.source, h.text[:80]) for h in hits])
    mrr = sum(1 / r for r in ranks if r) / len(ranks)
    print(f"\nreal papers: paraphrase MRR@5 = {mrr:.3f} over {len(ranks)} queries")
