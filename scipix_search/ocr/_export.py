"""Export the pix2tex (LaTeX-OCR) model to ONNX with a key/value cache (build time only).

This is the one module of :mod:`scipix_search.ocr` that imports torch, and only
:func:`build_formula_model` imports it. The run-time path reads the ONNX files it writes.

Two graphs come out:

* ``encoder.onnx``: ``image (B, 1, H, W)`` (H, W multiples of 32, dynamic) to the cross-attention
  keys and values of every decoder layer, ``cross_k``/``cross_v`` of shape ``(L, B, heads, N, 64)``.
  Projecting them once per image keeps every decoding step small.
* ``decoder.onnx``: one step. ``tokens (B, 1)``, ``position (1,)``, ``past_k``/``past_v``
  ``(L, B, heads, P, 64)`` and the cross keys/values give ``logprobs (B, vocab)`` and
  ``present_k``/``present_v`` with ``P + 1`` positions, so decoding is linear in the length.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import logging
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: The pix2tex 0.1.4 settings of the checkpoint (``model/settings/config.yaml``).
MODEL_ARGS: dict[str, Any] = {
    "backbone_layers": [2, 3, 7],
    "bos_token": 1,
    "channels": 1,
    "decoder_args": {
        "attn_on_attn": True,
        "cross_attend": True,
        "ff_glu": True,
        "rel_pos_bias": False,
        "use_scalenorm": False,
    },
    "dim": 256,
    "encoder_depth": 4,
    "encoder_structure": "hybrid",
    "eos_token": 2,
    "heads": 8,
    "max_height": 192,
    "max_seq_len": 512,
    "max_width": 672,
    "num_layers": 4,
    "num_tokens": 8000,
    "pad_token": 0,
    "patch_size": 16,
    "device": "cpu",
    "wandb": False,
}
OPSET = 17


class _Stub(type):
    """A class whose attributes are names, standing in for torchvision members."""

    def __getattr__(cls, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        return f"{cls.__name__}.{name}"


class _StubModule(types.ModuleType):
    def __getattr__(self, name: str) -> type:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Stub(name, (), {})


class _TorchvisionStub(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers ``import torchvision...`` with empty modules.

    timm 0.5.4 (pinned by pix2tex 0.1.4) imports torchvision for data transforms and datasets
    that the model never uses, and PyPI's torchvision cannot be installed beside this torch.
    """

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname == "torchvision" or fullname.startswith("torchvision."):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = _StubModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


@contextmanager
def torchvision_stub() -> Iterator[None]:
    """Let timm import without torchvision while the block runs (only if torchvision is absent)."""
    try:
        import torchvision  # noqa: F401

        yield
        return
    except ImportError:
        pass
    finder = _TorchvisionStub()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if n == "torchvision" or n.startswith("torchvision.")]:
            del sys.modules[name]


def load_reference_model(weights: Path) -> Any:
    """Build pix2tex 0.1.4's model and load the checkpoint strictly.

    Args:
        weights: Path of ``weights.pth``.

    Returns:
        The PyTorch ``pix2tex.models.Model`` in eval mode.
    """
    import torch
    from munch import Munch

    with torchvision_stub():
        from pix2tex.models import get_model

        model = get_model(Munch(MODEL_ARGS))
    state = torch.load(weights, map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    return model.eval()


def _modules() -> tuple[Any, Any]:
    import torch
    from torch import nn

    class Encoder(nn.Module):
        """Image to per-layer cross-attention keys and values (dynamic image size)."""

        def __init__(self, model: Any) -> None:
            super().__init__()
            self.vit = model.encoder
            layers = model.decoder.net.attn_layers
            self.cross = nn.ModuleList(
                [
                    block
                    for kind, (_, block, _) in zip(layers.layer_types, layers.layers, strict=True)
                    if kind == "c"
                ]
            )
            self.heads = layers.layers[1][1].heads
            self.grid_width = MODEL_ARGS["max_width"] // MODEL_ARGS["patch_size"]

        def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, ...]:
            vit = self.vit
            embed = vit.patch_embed
            grid = embed.proj(embed.backbone(image))  # (B, dim, h, w)
            batch = grid.shape[0]
            # pix2tex's index: row i of the h x w grid sits at row i of the max-size grid. The
            # cumulative sums keep h and w symbolic in the traced graph (arange would freeze them).
            ones = torch.ones_like(grid[0, 0])
            rows = torch.cumsum(ones, dim=0) - 1
            cols = torch.cumsum(ones, dim=1) - 1
            idx = (rows * self.grid_width + cols).reshape(-1).long() + 1
            idx = torch.cat([torch.zeros(1, dtype=idx.dtype), idx])
            x = grid.flatten(2).transpose(1, 2)
            x = torch.cat([vit.cls_token.expand(batch, -1, -1), x], dim=1)
            x = x + vit.pos_embed[:, idx]
            for blk in vit.blocks:
                x = blk(x)
            memory = vit.norm(x)
            out: list[torch.Tensor] = []
            attn: Any  # an x-transformers Attention: its to_k/to_v are untyped submodules
            for attn in self.cross:
                for proj in (attn.to_k, attn.to_v):
                    t = proj(memory)
                    out.append(
                        t.reshape(batch, -1, self.heads, t.shape[-1] // self.heads).transpose(1, 2)
                    )
            return tuple(out)

    class DecoderStep(nn.Module):
        """One decoding step of x-transformers 0.15.0's pre-norm decoder, with a cache.

        Shapes are written as constants wherever possible (one new token per step) so that
        the graph has few small shape operators: each costs microseconds per step.
        """

        def __init__(self, model: Any, vocab_size: int) -> None:
            super().__init__()
            net = model.decoder.net
            self.net = net
            layers = net.attn_layers
            self.blocks = [layers.layers[i : i + 3] for i in range(0, len(layers.layers), 3)]
            self.heads = layers.layers[0][1].heads
            self.scale = layers.layers[0][1].scale
            self.head_dim = layers.layers[0][1].to_q.out_features // self.heads
            # Only the tokenizer's ids can be decoded; the other rows of the 8000-way output
            # layer are never trained targets, and dropping them makes each step cheaper.
            self.logits = nn.Linear(net.to_logits.in_features, vocab_size)
            self.logits.weight.data = net.to_logits.weight.data[:vocab_size].clone()
            self.logits.bias.data = net.to_logits.bias.data[:vocab_size].clone()
            self.spec = (self.heads, self.head_dim, float(self.scale))

        @staticmethod
        def _feed_forward(ff: Any, x: torch.Tensor) -> torch.Tensor:
            """x-transformers' GEGLU feed-forward, with a fixed-size split (see ``forward``)."""
            proj, out = ff.net[0].proj, ff.net[-1]
            value, gate = torch.split(proj(x), proj.out_features // 2, dim=-1)
            return out(value * torch.nn.functional.gelu(gate))

        def forward(
            self, tokens: torch.Tensor, position: torch.Tensor, *caches: torch.Tensor
        ) -> tuple[torch.Tensor, ...]:
            depth = len(self.blocks)
            past, cross = caches[: 2 * depth], caches[2 * depth :]
            x = self.net.token_emb(tokens) + self.net.pos_emb.emb(position)
            present: list[torch.Tensor] = []
            for i, ((norm_a, self_attn, _), (norm_c, cross_attn, _), (norm_f, ff, _)) in enumerate(
                self.blocks
            ):
                # Three matrices, not one fused: int8 quantisation is per tensor, and one scale
                # for the three changed the rounding and so some reads.
                h = norm_a(x)
                q, k, v = self_attn.to_q(h), self_attn.to_k(h), self_attn.to_v(h)
                out, k, v = _SelfAttention.apply(q, k, v, past[2 * i], past[2 * i + 1], self.spec)
                present += [k, v]
                x = x + self_attn.to_out(out)
                q = cross_attn.to_q(norm_c(x))
                out = _CrossAttention.apply(q, cross[2 * i], cross[2 * i + 1], self.spec)
                x = x + cross_attn.to_out(out)
                x = x + self._feed_forward(ff, norm_f(x))
            logits = self.logits(self.net.norm(x)).reshape(-1, self.logits.out_features)
            return (torch.log_softmax(logits, dim=-1), *present)

    def _attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, spec: Any) -> torch.Tensor:
        """Reference attention of one new token: ``q (B, 1, heads*d)``, ``k``/``v`` ``(B, heads, n, d)``."""
        heads, head_dim, scale = spec
        q = q.reshape(-1, 1, heads, head_dim).transpose(1, 2)
        weights = torch.softmax(torch.matmul(q * scale, k.transpose(-1, -2)), dim=-1)
        return torch.matmul(weights, v).transpose(1, 2).reshape(-1, 1, heads * head_dim)

    class _SelfAttention(torch.autograd.Function):
        """Cached self-attention, exported as one ``com.microsoft.MultiHeadAttention`` node.

        Spelled out, attention is about a dozen tiny nodes per layer (reshapes, transposes, the
        cache Concat, scaling, two matmuls, softmax), each costing microseconds per step;
        ONNX Runtime's kernel does the split, the cache append and the attention in one call.
        """

        @staticmethod
        def forward(
            ctx: Any, q: Any, k: Any, v: Any, past_k: Any, past_v: Any, spec: Any
        ) -> tuple[Any, Any, Any]:
            heads, head_dim, _ = spec
            split = lambda t: t.reshape(-1, 1, heads, head_dim).transpose(1, 2)  # noqa: E731
            k = torch.cat([past_k, split(k)], dim=2)
            v = torch.cat([past_v, split(v)], dim=2)
            return _attend(q, k, v, spec), k, v

        @staticmethod
        def symbolic(g: Any, q: Any, k: Any, v: Any, past_k: Any, past_v: Any, spec: Any) -> Any:
            heads, _, scale = spec
            # An absent optional input (bias, masks): exported as the empty name "".
            none = g.op("prim::Constant")
            none.setType(torch._C.OptionalType.ofTensor())
            return g.op(
                "com.microsoft::MultiHeadAttention",
                q, k, v, none, none, none, past_k, past_v,
                num_heads_i=heads, scale_f=scale, outputs=3,
            )  # fmt: skip

    class _CrossAttention(torch.autograd.Function):
        """Attention over the encoder's keys/values ``(B, heads, N, d)``, as one node."""

        @staticmethod
        def forward(ctx: Any, q: Any, k: Any, v: Any, spec: Any) -> Any:
            return _attend(q, k, v, spec)

        @staticmethod
        def symbolic(g: Any, q: Any, k: Any, v: Any, spec: Any) -> Any:
            heads, _, scale = spec
            return g.op(
                "com.microsoft::MultiHeadAttention", q, k, v, num_heads_i=heads, scale_f=scale
            )

    return Encoder, DecoderStep


def _static_pad_same(x: Any, k: Any, s: Any, d: Any = (1, 1), value: float = 0) -> Any:
    """timm's ``pad_same`` for inputs divisible by the stride (all sizes here are multiples of 32).

    timm computes the padding from the traced size with ``math.ceil``, which freezes part of the
    formula at the export size; for divisible sizes the padding does not depend on the size.
    """
    import torch.nn.functional as F

    pad_h = max((k[0] - 1) * d[0] + 1 - s[0], 0)
    pad_w = max((k[1] - 1) * d[1] + 1 - s[1], 0)
    if pad_h > 0 or pad_w > 0:
        x = F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2], value=value)
    return x


@contextmanager
def _static_padding() -> Iterator[None]:
    import importlib

    # Through import_module: the package re-exports functions under these module names.
    # Any: timm is untyped, and pad_same is patched on the module objects.
    modules: list[Any] = [
        importlib.import_module(f"timm.models.layers.{name}")
        for name in ("conv2d_same", "pool2d_same", "std_conv")
    ]
    saved = [m.pad_same for m in modules]
    for m in modules:
        m.pad_same = _static_pad_same
    try:
        yield
    finally:
        for m, original in zip(modules, saved, strict=True):
            m.pad_same = original


def cache_names(prefix: str, depth: int = MODEL_ARGS["num_layers"]) -> list[str]:
    """Names of the per-layer key/value tensors, e.g. ``past_k0, past_v0, past_k1, ...``."""
    return [f"{prefix}_{kv}{i}" for i in range(depth) for kv in ("k", "v")]


def export_onnx(model: Any, out_dir: Path, vocab_size: int) -> tuple[Path, Path]:
    """Export the encoder and the cached decoder step of ``model`` into ``out_dir``.

    Args:
        model: The reference model from :func:`load_reference_model`.
        out_dir: Folder to write ``encoder.onnx`` and ``decoder.onnx`` into.
        vocab_size: Number of tokenizer ids; the decoder's output layer keeps these rows.

    Returns:
        The paths of the encoder and decoder files.
    """
    import warnings

    import torch

    encoder_cls, decoder_cls = _modules()
    encoder, decoder = encoder_cls(model).eval(), decoder_cls(model, vocab_size).eval()
    out_dir.mkdir(parents=True, exist_ok=True)
    enc_path, dec_path = out_dir / "encoder.onnx", out_dir / "decoder.onnx"
    image = torch.randn(2, 1, 64, 320)
    cross_names, past_names = cache_names("cross"), cache_names("past")
    present_names = cache_names("present")
    with torch.no_grad(), warnings.catch_warnings(), torchvision_stub(), _static_padding():
        warnings.simplefilter("ignore")
        cross = encoder(image)
        torch.onnx.export(
            encoder,
            (image,),
            str(enc_path),
            input_names=["image"],
            output_names=cross_names,
            dynamic_axes={
                "image": {0: "batch", 2: "height", 3: "width"},
                **{name: {0: "batch", 2: "memory"} for name in cross_names},
            },
            opset_version=OPSET,
            dynamo=False,
        )
        past = [torch.zeros(2, MODEL_ARGS["heads"], 3, 64) for _ in past_names]
        torch.onnx.export(
            decoder,
            (torch.ones(2, 1, dtype=torch.long), torch.tensor([3]), *past, *cross),
            str(dec_path),
            input_names=["tokens", "position", *past_names, *cross_names],
            output_names=["logprobs", *present_names],
            dynamic_axes={
                "tokens": {0: "batch"},
                "logprobs": {0: "batch"},
                **{name: {0: "batch", 2: "past"} for name in past_names},
                **{name: {0: "batch", 2: "memory"} for name in cross_names},
                **{name: {0: "batch", 2: "total"} for name in present_names},
            },
            opset_version=OPSET,
            custom_opsets={"com.microsoft": 1},
            dynamo=False,
        )
    logger.info("exported %s and %s", enc_path, dec_path)
    return enc_path, dec_path
