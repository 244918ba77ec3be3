"""Formula image to LaTeX on ONNX Runtime (no torch at run time)."""

from __future__ import annotations

import json
import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from scipix_search.config import Settings, default_model_dir
from scipix_search.exceptions import ModelNotFoundError, OCRError
from scipix_search.math import repair_latex, try_mathml
from scipix_search.ocr._decode import (
    Hypothesis,
    StepFn,
    beam_search,
    greedy,
    score_jointly,
    score_sequences,
)
from scipix_search.ocr._images import MAX_FILE_BYTES, MAX_IMAGE_PIXELS, ImageInput, load_image
from scipix_search.ocr._matrices import (
    LINE_STYLES,
    MatrixBlock,
    cells_line,
    find_matrices,
    matrix_latex,
    splice_matrices,
    split_cells,
)
from scipix_search.ocr._output import LatexResult
from scipix_search.ocr._preprocess import (
    PROSE_TO_FORMULA,
    Prepared,
    crop_to_content,
    estimate_glyph_height,
    plan_scale,
    pooled_glyph_height,
    prepare,
    prose_glyph_height,
    to_model_input,
)
from scipix_search.ocr._tokenizer import LatexTokenizer, clean_latex, latex_tokens
from scipix_search.ocr._vote import VOTE_FACTORS, Moot, Read, Settled, elect
from scipix_search.onnx import make_session, uses_cuda

logger = logging.getLogger(__name__)

MODEL_SUBDIR = "pix2tex"
MANIFEST = "manifest.json"


def resolve_model_dir(model_dir: Path | str | None) -> Path:
    """The folder holding ``manifest.json``: ``model_dir`` itself or its ``pix2tex`` child."""
    root = Path(model_dir) if model_dir is not None else default_model_dir()
    return root if (root / MANIFEST).is_file() else root / MODEL_SUBDIR


class LatexRecognizer:
    """Read LaTeX from formula images with the exported pix2tex model.

    Build it with :meth:`from_settings` where a ``Settings`` is at hand; the defaults below are
    those of ``Settings`` (nothing is read from the environment here).

    Args:
        model_dir: Folder of the built model (``Settings.model_dir`` or its ``pix2tex``
            sub-folder); default ``~/.cache/scipix-search/models``.
        device: ``auto``, ``cpu`` or ``cuda``.
        beam_size: 1 for greedy decoding, more for beam search.
        multiscale: Put doubtful reads to a scale vote (see ``scale_votes``): a read is
            doubtful when its mean confidence is under ``retry_below`` or one of its tokens
            under ``doubt_below``. On im2latex dev about a third of the reads are doubtful;
            voting on those gains most of what voting on all of them gains.
        retry_below: Mean confidence under which a read is doubtful.
        doubt_below: Token probability under which a read is doubtful (its least sure token:
            wrong reads had a median of 0.64, right ones 0.87). A speed/accuracy dial: on the
            first 300 im2latex dev formulas 0.6 gave exact 0.473 at 170 ms, 0.4 0.463 at
            122 ms, 0.25 0.460 at 113 ms (``Settings.ocr_doubt_below``).
        scan_doubt_below: ``doubt_below`` for the crops of a page scan (``batch(...,
            scanned=True)``; ``Settings.ocr_scan_doubt_below``), a dial of its own: most scan
            crops hold a token under 0.6, so lowering it saves more on scans than on PDF
            crops (0.3: dev figures equal, held-out paper@1 lower; docs/scans.md).
        max_len: Longest output in tokens.
        threads: ONNX Runtime intra-op threads of the encoder (default: one per core).
        decoder_threads: Intra-op threads of the decoder (default 1 on CPU: one decoding step
            is about a hundred tiny kernels, and waking a second core for each costs more than
            it saves: 1 thread was the faster in every paired run on 2 cores, batches included;
            with fused attention, 2 threads took 1.3x as long per read).
        scale_votes: 3 puts every read to the vote: each image is read at x1, x0.9 and (when
            those two differ) x1.1 of its scale and the majority is kept, about 2.4x the time;
            1 votes only on doubtful reads (with ``multiscale``); ``Settings.ocr_scale_votes``,
            see ``VOTE_FACTORS``.
        glyph_height: The document's glyph height in pixels, when known (see
            :meth:`calibrate`); otherwise each image (or batch) is measured.
        precision: ``fp32``, ``int8`` (dynamically quantised decoder: about 3x faster steps
            on CPU, same accuracy in ``benchmarks/formula_ocr.py``) or ``auto`` (int8 on
            CPU, fp32 on CUDA).
        max_image_pixels: Larger images are refused (``Settings.max_image_pixels``).
        max_file_bytes: Larger image files are refused (``Settings.max_file_bytes``).

    Raises:
        ModelNotFoundError: The model has not been built.

    Example:
        >>> recognizer = LatexRecognizer.from_settings(get_settings())  # doctest: +SKIP
        >>> recognizer("formula.png").latex  # doctest: +SKIP
        'E=mc^{2}'
    """

    def __init__(
        self,
        model_dir: Path | str | None = None,
        *,
        device: str = "auto",
        beam_size: int = 1,
        multiscale: bool = True,
        retry_below: float = 0.85,
        doubt_below: float = 0.6,
        scan_doubt_below: float = 0.6,
        max_len: int = 400,
        threads: int | None = None,
        decoder_threads: int | None = 1,
        glyph_height: float | None = None,
        precision: str = "auto",
        scale_votes: int = 1,
        max_image_pixels: int = MAX_IMAGE_PIXELS,
        max_file_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        if scale_votes not in (1, 3):
            raise ValueError(f"scale_votes must be 1 or 3, not {scale_votes!r}")
        self.model_dir = resolve_model_dir(model_dir)
        manifest_path = self.model_dir / MANIFEST
        if not manifest_path.is_file():
            raise ModelNotFoundError(
                f"no formula model in {self.model_dir}; build it with `scipix-search models build`",
                path=str(self.model_dir),
            )
        self.manifest: dict[str, Any] = json.loads(manifest_path.read_text())
        self._encoder = make_session(
            self.model_dir / self.manifest["encoder"], device, threads, error=OCRError
        )
        decoder = self.manifest["decoder"]
        if precision not in ("auto", "fp32", "int8"):
            raise ValueError(f"precision must be auto, fp32 or int8, not {precision!r}")
        quantised = self.manifest.get("decoder_int8")
        if precision == "int8" and not quantised:
            raise ModelNotFoundError("this model build has no int8 decoder; rebuild it")
        if quantised and (
            precision == "int8" or (precision == "auto" and not uses_cuda(self._encoder))
        ):
            decoder = quantised
        self.precision = "int8" if decoder == quantised else "fp32"
        self._decoder = make_session(
            self.model_dir / decoder, device, decoder_threads, error=OCRError
        )
        self._tokenizer = LatexTokenizer(self.model_dir / self.manifest["tokenizer"])
        self.beam_size, self.multiscale = beam_size, multiscale
        self.retry_below, self.max_len = retry_below, max_len
        self.scan_doubt_below = scan_doubt_below
        self.glyph_height = glyph_height
        self.device, self.scale_votes, self.doubt_below = device, scale_votes, doubt_below
        self.max_image_pixels, self.max_file_bytes = max_image_pixels, max_file_bytes
        self._bos, self._eos = int(self.manifest["bos_token"]), int(self.manifest["eos_token"])
        layers = int(self.manifest["num_layers"])
        self._heads, self._head_dim = int(self.manifest["heads"]), int(self.manifest["head_dim"])
        self._past_names = [f"past_{kv}{i}" for i in range(layers) for kv in ("k", "v")]
        self._present_names = [f"present_{kv}{i}" for i in range(layers) for kv in ("k", "v")]
        # On a GPU the decoder's key/value caches and the image's cross-attention inputs stay
        # on the device between steps (IOBinding): copied to and from the host at every token,
        # they made a formula 2.4x slower on an H200 than on its 16 CPU cores.
        self._bind_device: str | None = "cuda" if uses_cuda(self._decoder) else None
        self._cross_names = [f"cross_{kv}{i}" for i in range(layers) for kv in ("k", "v")]

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> LatexRecognizer:
        """The recognizer ``settings`` describe (model folder, device, scale votes, doubt
        threshold, image limits); ``options`` add or override constructor arguments."""
        from_settings = {
            "device": settings.ocr_device or settings.device,
            "scale_votes": settings.ocr_scale_votes,
            "doubt_below": settings.ocr_doubt_below,
            "scan_doubt_below": settings.ocr_scan_doubt_below,
            "max_image_pixels": settings.max_image_pixels,
            "max_file_bytes": settings.max_file_bytes,
        }
        return cls(settings.model_dir, **{**from_settings, **options})

    def _load(self, image: ImageInput) -> Any:
        return load_image(image, max_pixels=self.max_image_pixels, max_bytes=self.max_file_bytes)

    # -- model calls -------------------------------------------------------------------------

    def encode(self, pixels: np.ndarray) -> list[np.ndarray]:
        """Run the encoder on a ``Bx1xHxW`` batch; returns the per-layer cross keys/values."""
        try:
            return list(self._encoder.run(self._cross_names, {"image": pixels}))
        except Exception as exc:  # onnxruntime raises untyped errors
            raise OCRError(f"encoder failed on input of shape {pixels.shape}: {exc}") from exc

    def _empty_past(self, batch: int) -> list[np.ndarray]:
        empty = np.zeros((batch, self._heads, 0, self._head_dim), dtype=np.float32)
        return [empty] * len(self._past_names)

    def _step(self, cross: dict[str, np.ndarray]) -> StepFn:
        if self._bind_device is not None:
            return self._bound_step(cross, self._bind_device)
        return self._plain_step(cross)

    def _plain_step(self, cross: dict[str, np.ndarray]) -> StepFn:
        def step(
            tokens: np.ndarray, position: int, past: list[np.ndarray]
        ) -> tuple[np.ndarray, list[np.ndarray]]:
            feeds = {"tokens": tokens, "position": np.array([position], dtype=np.int64)}
            feeds.update(zip(self._past_names, past, strict=True))
            feeds.update(cross)
            try:
                out = self._decoder.run(None, feeds)
            except Exception as exc:  # onnxruntime raises untyped errors
                raise OCRError(f"decoder failed at step {position}: {exc}") from exc
            return out[0], list(out[1:])

        return step

    def _bound_step(self, cross: dict[str, np.ndarray], device: str) -> StepFn:
        """The step function with caches kept as ORT values on ``device`` between calls.

        Only the tokens, the position and the log-probabilities cross to the host; the
        caches it returns are opaque ``OrtValue``s, which greedy decoding and sequence scoring
        only hand back (beam search gathers rows of them, so it uses the plain step).
        """
        from onnxruntime import OrtValue

        bound = {
            name: OrtValue.ortvalue_from_numpy(np.ascontiguousarray(value), device, 0)
            for name, value in cross.items()
        }

        def step(
            tokens: np.ndarray, position: int, past: list[Any]
        ) -> tuple[np.ndarray, list[Any]]:
            binding = self._decoder.io_binding()
            binding.bind_cpu_input("tokens", np.ascontiguousarray(tokens, dtype=np.int64))
            binding.bind_cpu_input("position", np.array([position], dtype=np.int64))
            for name, value in zip(self._past_names, past, strict=True):
                if isinstance(value, np.ndarray):
                    binding.bind_cpu_input(name, value)
                else:
                    binding.bind_ortvalue_input(name, value)
            for name, value in bound.items():
                binding.bind_ortvalue_input(name, value)
            binding.bind_output("logprobs", "cpu")
            for name in self._present_names:
                binding.bind_output(name, device, 0)
            try:
                self._decoder.run_with_iobinding(binding)
            except Exception as exc:  # onnxruntime raises untyped errors
                raise OCRError(f"decoder failed at step {position}: {exc}") from exc
            out = binding.get_outputs()
            return out[0].numpy(), list(out[1:])

        return step

    def decode(self, cross: list[np.ndarray]) -> list[Hypothesis]:
        """Decode every row of an encoded batch (greedy, or beam search row by row)."""
        batch = cross[0].shape[0]
        if self.beam_size <= 1:
            feeds = dict(zip(self._cross_names, cross, strict=True))
            return greedy(
                self._step(feeds),
                batch,
                bos=self._bos,
                eos=self._eos,
                max_len=self.max_len,
                init_past=self._empty_past(batch),
            )
        hyps = []
        for row in range(batch):
            base = [c[row : row + 1] for c in cross]
            feeds = dict(zip(self._cross_names, base, strict=True))

            def expand(index: np.ndarray, feeds: dict[str, np.ndarray] = feeds) -> None:
                for name in self._cross_names:
                    feeds[name] = feeds[name][np.zeros(len(index), dtype=np.int64)]

            hyps.append(
                beam_search(
                    self._plain_step(feeds),
                    bos=self._bos,
                    eos=self._eos,
                    max_len=self.max_len,
                    init_past=self._empty_past,
                    expand=expand,
                    beam_size=self.beam_size,
                )
            )
        return hyps

    def _read(
        self, crops: Sequence[np.ndarray], batch_size: int
    ) -> list[tuple[Hypothesis, list[np.ndarray]]]:
        """Decode model inputs, batching those of equal shape; each read with its encoding."""
        groups: dict[tuple[int, ...], list[int]] = defaultdict(list)
        for i, crop in enumerate(crops):
            groups[crop.shape].append(i)
        out: list[tuple[Hypothesis, list[np.ndarray]] | None] = [None] * len(crops)
        for members in groups.values():
            for start in range(0, len(members), batch_size):
                chunk = members[start : start + batch_size]
                cross = self.encode(np.concatenate([crops[i] for i in chunk]))
                for row, (i, hyp) in enumerate(zip(chunk, self.decode(cross), strict=True)):
                    out[i] = (hyp, [c[row : row + 1] for c in cross])
        return [r for r in out if r is not None]

    def likelihoods(self, cross: list[np.ndarray], candidates: Sequence[list[int]]) -> list[float]:
        """Log-probability of each candidate token sequence given one encoded image."""
        feeds = {
            name: np.repeat(c, len(candidates), axis=0)
            for name, c in zip(self._cross_names, cross, strict=True)
        }
        return score_sequences(
            self._step(feeds),
            candidates,
            bos=self._bos,
            eos=self._eos,
            init_past=self._empty_past(len(candidates)),
        )

    def joint_likelihoods(
        self, crosses: Sequence[list[np.ndarray]], candidates: Sequence[list[int]]
    ) -> list[float]:
        """Each candidate's log-probability summed over several encodings of one image (the
        sum of :meth:`likelihoods` under each), ``-inf`` for a candidate that cannot have the
        highest sum (see :func:`score_jointly`)."""
        steps = [
            self._step(
                {
                    name: np.repeat(c, len(candidates), axis=0)
                    for name, c in zip(self._cross_names, cross, strict=True)
                }
            )
            for cross in crosses
        ]
        return score_jointly(
            steps,
            candidates,
            bos=self._bos,
            eos=self._eos,
            init_past=self._empty_past(len(candidates)),
        )

    def _doubtful(self, hyp: Hypothesis, doubt_below: float) -> bool:
        """Whether a read deserves a second opinion at other scales: its mean confidence
        under ``retry_below``, or a token's probability under ``doubt_below``."""
        doubt = math.log(doubt_below) if doubt_below > 0 else -math.inf
        return hyp.confidence < self.retry_below or hyp.min_logprob < doubt

    def _vote(
        self,
        live: dict[int, Prepared],
        reference: float | None,
        batch_size: int,
        settled: Settled | None = None,
        moot: Moot | None = None,
        doubt_below: float | None = None,
    ) -> dict[int, tuple[Hypothesis, float, dict[str, Any]]]:
        """Read each crop at the ``VOTE_FACTORS`` scales and keep the majority reading.

        Every crop is read at its first scale. With ``scale_votes=3`` every crop, and with
        ``multiscale`` the doubtful ones (see ``doubt_below``), are read again at x0.9; where
        the two reads differ, at x1.1 too. Confidence cannot pick the right scale (wrong reads
        are confident too), but the errors of neighbouring scales rarely coincide, so agreement
        decides; three different reads are settled by :func:`elect`.

        ``live`` maps the index of each image that holds ink to its prepared crop; a first
        read that ``settled`` accepts (called with the image's index and the read's LaTeX) is
        kept without a vote; a split vote whose reads ``moot`` says the caller keeps none of
        is not scored (see :func:`elect`); ``doubt_below`` (default: the recognizer's) sets
        which first reads are doubtful.
        """
        doubt_below = self.doubt_below if doubt_below is None else doubt_below
        first = {i: plan_scale(p, reference_height=reference) for i, p in live.items()}
        reads: dict[int, list[Read]] = {i: [] for i in live}
        for attempt, factor in enumerate(VOTE_FACTORS):
            if attempt == 0:
                todo = list(live)
            elif attempt == 1:
                todo = [
                    i
                    for i in live
                    if (
                        self.scale_votes > 1
                        or (self.multiscale and self._doubtful(reads[i][0].hyp, doubt_below))
                    )
                    and not (settled is not None and settled(i, reads[i][0].latex))
                ]
            else:
                todo = [i for i in todo if reads[i][0].key != reads[i][1].key]
            if not todo:
                break
            scales = [first[i] * factor for i in todo]
            crops = [to_model_input(live[i].gray, s) for i, s in zip(todo, scales, strict=True)]
            for i, scale, (hyp, cross) in zip(
                todo, scales, self._read(crops, batch_size), strict=True
            ):
                latex = clean_latex(self._tokenizer.decode(hyp.ids))
                reads[i].append(Read(hyp, scale, tuple(latex_tokens(latex)), cross, latex))

        def moot_for(i: int) -> Callable[[], bool] | None:
            if moot is None:
                return None
            return lambda: moot(i, [_returned_latex(r.latex) for r in reads[i]])

        return {
            i: elect(options, self.joint_likelihoods, moot_for(i)) for i, options in reads.items()
        }

    def _spliced(
        self,
        latex: str,
        width: int,
        grid: list[tuple[MatrixBlock, list[int]]],
        best: dict[int, tuple[Hypothesis, float, dict[str, Any]]],
    ) -> str | None:
        """The crop's read (``width`` pixels wide) with its matrices read cell by cell, or
        None where its read holds no span for them (see :func:`splice_matrices`). A matrix's
        cells come from the first of its lines whose read parts into as many cells."""
        matrices: list[tuple[MatrixBlock, str | None]] = []
        for block, lines in grid:
            count = sum(c is not None for row in block.cells for c in row)
            cells = None
            for line, (kind, _, _) in zip(lines, LINE_STYLES, strict=True):
                if line in best:
                    read = clean_latex(self._tokenizer.decode(best[line][0].ids))
                    cells = split_cells(read, count, kind)
                if cells is not None:
                    break
            if cells is None:  # a cell lost or split: the model's own span stays
                matrices.append((block, None))
                continue
            it = iter(cells)
            table = [[next(it) if c is not None else "" for c in row] for row in block.cells]
            matrices.append((block, matrix_latex(block.env, table)))
        if all(m is None for _, m in matrices):
            return None
        return splice_matrices(latex, matrices, width)

    # -- public API ----------------------------------------------------------------------------

    def __call__(self, image: ImageInput) -> LatexResult:
        """Read one formula image (path, bytes, PIL image or array).

        Raises:
            InputError: The image cannot be loaded (see :func:`load_image`).
            OCRError: The model failed.
        """
        return self.batch([image])[0]

    def calibrate(self, images: Sequence[ImageInput]) -> float | None:
        """Measure the glyph height of a document from a sample of its formula crops.

        Formulas of one document share a font size; the pooled median is far steadier than
        one crop's estimate, and later calls scale every crop by it.

        Args:
            images: Formula crops of one document (a few dozen are plenty).

        Returns:
            The pooled glyph height in pixels (also stored as ``self.glyph_height``), or ``None``.
        """
        self.glyph_height = pooled_glyph_height([prepare(self._load(i)) for i in images])
        logger.info("document glyph height: %s px", self.glyph_height)
        return self.glyph_height

    def batch(
        self,
        images: Sequence[ImageInput],
        batch_size: int = 8,
        *,
        same_document: bool = False,
        prose: Sequence[np.ndarray] = (),
        scanned: bool = False,
        settled: Settled | None = None,
        moot: Moot | None = None,
    ) -> list[LatexResult]:
        """Read many formula images, batching the model calls.

        Args:
            images: Paths, bytes, PIL images or arrays.
            batch_size: Largest number of crops per model call.
            same_document: The crops share a font size: scale them by their pooled glyph height
                (unless ``glyph_height`` is already set).
            prose: Crops of the same document's prose lines, at the images' resolution (a
                page scan's text lines): the crops are then scaled by the prose's glyph height
                (``PROSE_TO_FORMULA`` x its x-height), steadier than the formulas' own glyphs
                (unless ``glyph_height`` is already set; without measurable prose, as
                ``same_document``).
            scanned: The images are crops of page scans or page images (as
                :class:`~scipix_search.ingest.PageEquations` reads them): doubtful reads are
                those with a token under ``scan_doubt_below``, not ``doubt_below``.
            settled: Judges a crop's first read (called with the image's index and its
                LaTeX): a read it accepts is kept without a scale vote, however doubtful. A
                caller that can check a read against other evidence (a PDF's text layer) saves
                the vote's two more reads and its scoring, five sixths of a voted crop's time.
            moot: Judges a crop's reads where every read differs (called with the image's
                index and each read's LaTeX as this returns it): True when the caller keeps
                none of them (it checks each against other evidence), so the vote skips the
                likelihood scoring and returns the most confident read.

        Returns:
            One result per image, in order; blank images give an empty result with confidence 0.

        Raises:
            InputError: An image cannot be loaded.
        """
        start = time.perf_counter()
        prepared: list[Prepared | None] = [prepare(self._load(image)) for image in images]
        live = {i: p for i, p in enumerate(prepared) if p is not None}
        reference = self.glyph_height
        x_height = prose_glyph_height(prose) if prose else None
        if reference is None and x_height:
            reference = PROSE_TO_FORMULA * x_height
        if reference is None and same_document:
            reference = pooled_glyph_height(prepared)
        # Crops of a page scan (the prose is given): a matrix is read cell by cell too
        # (find_matrices), its cells set in one line and read in the same batch.
        grids = _matrix_lines(live, len(images), x_height) if x_height else {}
        doubt_below = self.scan_doubt_below if scanned else self.doubt_below
        best = self._vote(live, reference, batch_size, settled, moot, doubt_below)
        elapsed = (time.perf_counter() - start) * 1000 / max(len(images), 1)
        results = []
        for i in range(len(images)):
            if i in grids and i in best:
                best[i] = (best[i][0], best[i][1], {**best[i][2], "grid": grids[i]})
            if i not in best:
                results.append(LatexResult("", "", 0.0, False, elapsed, 1.0, {"blank": True}))
                continue
            hyp, scale, info = best[i]
            raw = self._tokenizer.decode(hyp.ids)
            latex = clean_latex(raw)
            grid = info.pop("grid", None)
            if grid is not None:
                spliced = self._spliced(latex, live[i].gray.shape[1], grid, best)
                if spliced is not None:
                    info = {**info, "matrices_from": latex}
                    latex = spliced
            repaired = _returned_latex(latex)
            if repaired != latex:
                info = {**info, "repaired_from": latex}
                latex = repaired
            mathml, parses = try_mathml(latex)
            extra = {
                "raw": raw,
                "looped": hyp.looped,
                "tokens": len(hyp.ids),
                "min_token_prob": round(math.exp(hyp.min_logprob), 4),
                **info,
            }
            results.append(
                LatexResult(latex, mathml, round(hyp.confidence, 4), parses, elapsed, scale, extra)
            )
        return results


def _returned_latex(latex: str) -> str:
    """A read's cleaned LaTeX as ``batch`` returns it. A read whose groups do not pair up would
    never be found by search (no canonical form, vector or tuples): pairing them is the
    smallest edit that makes it one."""
    repaired = repair_latex(latex)
    return latex if repaired is None else repaired


def _matrix_lines(
    live: dict[int, Prepared], first: int, x_height: float
) -> dict[int, list[tuple[MatrixBlock, list[int]]]]:
    """For each crop holding matrices, its blocks and the indices each block's cells' lines
    (one a style of ``LINE_STYLES``) get in ``live`` (added there from ``first`` on, to be
    read in the same batch)."""
    grids: dict[int, list[tuple[MatrixBlock, list[int]]]] = {}
    index = first
    for i, crop in list(live.items()):
        for block in find_matrices(crop.gray, x_height):
            lines = []
            for style in LINE_STYLES:
                line = cells_line(crop.gray, block, x_height, style)
                gray = crop_to_content(line) if line is not None else None
                if gray is not None:
                    live[index] = Prepared(gray, estimate_glyph_height(gray), 0.0)
                lines.append(index)  # one a style, read or not
                index += 1
            grids.setdefault(i, []).append((block, lines))
    return grids
