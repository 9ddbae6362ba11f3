"""The two NeuroSync families in plain numpy: the default inference engine (no torch needed).

Same maths as :mod:`core.model` (see there for the architectures), run on a state dict of
float32 arrays with NeuroSync's parameter names. Every step works on whole batches: linear
layers are one matrix product over (batch x T) rows, attention is a batched matmul over
(batch, heads). Two exact rewrites are made once at load:

- the attention scale 1/sqrt(head_dim) is folded into the query projection;
- 2025 rotary attention: the query and key rows of each head are reordered to (even dims, odd
  dims). A dot product does not depend on the order of its terms, so the scores are unchanged,
  and the interleaved rotation becomes a rotation of two contiguous halves.
"""

from __future__ import annotations

import math

import numpy as np

from .constants import FAMILY_V01A

#: Rows of the 0.1a sinusoidal position table (NeuroSync's ``max_len``).
POSITION_TABLE_LENGTH = 1000
_EPS = 1e-5
#: Attention weights handled at once: about a CPU's L2 cache.
_ATTENTION_BLOCK_BYTES = 1 << 18
#: Scores below this need no shift before exp (e**60 times T x |v| stays far inside float32),
#: and rows whose exp-sum exceeds the floor lost nothing to underflow.
_EXP_SAFE = np.float32(60.0)
_ROW_SUM_FLOOR = np.float32(1e-20)


def _linear(shape: dict, prefix: str, n_out: int, n_in: int) -> None:
    shape[f"{prefix}.weight"] = (n_out, n_in)
    shape[f"{prefix}.bias"] = (n_out,)


def _norms(shape: dict, prefix: str, names: tuple[str, ...], hidden: int) -> None:
    for name in names:
        shape[f"{prefix}{name}.weight"] = (hidden,)
        shape[f"{prefix}{name}.bias"] = (hidden,)


def expected_layout(config) -> dict[str, tuple[int, ...]]:
    """Parameter name -> shape of the model a :class:`core.checkpoint.ModelConfig` describes."""
    h, ff = config.hidden_dim, config.ff_dim
    v01a = config.family == FAMILY_V01A
    shape: dict[str, tuple[int, ...]] = {}
    _linear(shape, "encoder.embedding", h, config.input_dim)
    if v01a:
        for part in ("encoder", "decoder"):
            shape[f"{part}.pos_encoder.pe"] = (POSITION_TABLE_LENGTH, 1, h)
        for name in ("q", "k", "v", "out"):
            _linear(shape, f"decoder.cross_attention.{name}_linear", h, h)
    stacks = (
        ("encoder.transformer_encoder", ("self_attn",), ("norm1", "norm2")),
        (
            "decoder.transformer_decoder",
            ("self_attn", "multihead_attn"),
            ("norm1", "norm2", "norm3"),
        ),
    )
    for stack, attentions, norms in stacks:
        for i in range(config.n_layers):
            p = f"{stack}.layers.{i}." if v01a else f"{stack}.{i}."
            for att in attentions:
                if v01a:  # nn.MultiheadAttention: q, k, v stacked in one projection
                    shape[f"{p}{att}.in_proj_weight"] = (3 * h, h)
                    shape[f"{p}{att}.in_proj_bias"] = (3 * h,)
                    _linear(shape, f"{p}{att}.out_proj", h, h)
                else:
                    for name in ("q", "k", "v", "out"):
                        _linear(shape, f"{p}{att}.{name}_linear", h, h)
            ffn = p if v01a else p + "ffn."
            _linear(shape, f"{ffn}linear1", ff, h)
            _linear(shape, f"{ffn}linear2", h, ff)
            _norms(shape, p, norms, h)
    _norms(shape, "encoder.", ("layer_norm",), h)
    _norms(shape, "decoder.", ("layer_norm",), h)
    _linear(shape, "decoder.fc_output", config.output_dim, h)
    return shape


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """LayerNorm over the last axis of (N, H) rows (eps 1e-5, biased variance, as torch)."""
    # Row means as matrix-vector products: one BLAS call each instead of numpy's reductions.
    mean_row = np.full(x.shape[1], 1.0 / x.shape[1], dtype=np.float32)
    centred = x - (x @ mean_row)[:, None]
    var = np.square(centred) @ mean_row
    centred *= (1.0 / np.sqrt(var + np.float32(_EPS)))[:, None]
    centred *= weight
    centred += bias
    return centred


def _softmax_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(B, T, heads, d) queries/keys/values -> (B * T, heads * d); q is already scaled.

    Windows are taken a few at a time so that their (heads, T, T) weights stay in the CPU cache
    through the five passes over them (about 2x faster than one pass over the whole batch).
    """
    b, t, heads, d = q.shape
    out = np.empty((b, t, heads, d), dtype=np.float32)
    ones = np.ones((k.shape[1], 1), dtype=np.float32)  # row sums as one BLAS call: 3x faster
    step = max(1, _ATTENTION_BLOCK_BYTES // (heads * t * k.shape[1] * 4))
    for first in range(0, b, step):
        part = slice(first, first + step)
        scores = q[part].transpose(0, 2, 1, 3) @ k[part].transpose(0, 2, 3, 1)  # (b, h, T, Tk)
        # Softmax does not depend on a shift of each row. The usual shift by the row maximum
        # only guards exp against overflow, so it is made only where a score could overflow or
        # a whole row would underflow: one fast maximum over the block instead of a per-row
        # maximum and subtraction (the two cost about a sixth of the attention).
        unshifted = scores.max() < _EXP_SAFE
        if not unshifted:
            scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        total = scores @ ones
        if unshifted and not total.min() > _ROW_SUM_FLOOR:
            scores = q[part].transpose(0, 2, 1, 3) @ k[part].transpose(0, 2, 3, 1)
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            total = scores @ ones
        mixed = scores @ v[part].transpose(0, 2, 1, 3)  # (b, heads, T, d)
        mixed /= total  # normalising the (T, d) result costs d/T of normalising the weights
        out[part] = mixed.transpose(0, 2, 1, 3)
    return out.reshape(b * t, heads * d)


class NumpySeq2Seq:
    """A NeuroSync model on numpy: ``model(x)`` maps (B, T, input_dim) to (B, T, output_dim).

    Parameters
    ----------
    config : core.checkpoint.ModelConfig
        The architecture.
    state : dict[str, np.ndarray]
        float32 weights with NeuroSync's names and the shapes of :func:`expected_layout`
        (checked by the loader). The caller's dict and arrays are not modified; the model keeps
        transposed (in, out) copies of the matrices.
    """

    def __init__(self, config, state: dict[str, np.ndarray]):
        self.config = config
        self.parameter_count = sum(v.size for k, v in state.items() if not k.endswith(".pe"))
        self.heads = config.num_heads
        self.head_dim = config.hidden_dim // config.num_heads
        self._w = dict(state)
        self._rope_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        scale = np.float32(1.0 / math.sqrt(self.head_dim))
        h = config.hidden_dim
        for key in [k for k in self._w if k.endswith("in_proj_weight")]:
            bias = key.replace("weight", "bias")
            w, b = self._w[key].copy(), self._w[bias].copy()
            w[:h] *= scale
            b[:h] *= scale
            self._w[key], self._w[bias] = w, b
        if config.family != FAMILY_V01A:
            d = self.head_dim
            within = np.concatenate([np.arange(0, d, 2), np.arange(1, d, 2)])
            order = (np.arange(self.heads)[:, None] * d + within).ravel()
            for key in [k for k in self._w if k.endswith(("q_linear.weight", "q_linear.bias"))]:
                self._w[key] = self._w[key][order] * scale
            for key in [k for k in self._w if k.endswith(("k_linear.weight", "k_linear.bias"))]:
                self._w[key] = self._w[key][order]
        # Weights stored (in, out), C-contiguous: x @ W runs as BLAS's plain, fastest case.
        for key in [k for k in self._w if k.endswith(("weight", "in_proj_weight"))]:
            if self._w[key].ndim == 2:
                self._w[key] = np.ascontiguousarray(self._w[key].T)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """(B, T, input_dim) float32 -> (B, T, output_dim) float32."""
        x = np.asarray(x, dtype=np.float32)
        b, t, _ = x.shape
        if self.config.family == FAMILY_V01A:
            out = self._forward_v01a(x.reshape(b * t, -1), b, t)
        else:
            out = self._forward_v2025(x.reshape(b * t, -1), b, t)
        return out.reshape(b, t, -1)

    # -- building blocks on (B*T, H) rows --------------------------------------------------
    def _lin(self, x: np.ndarray, prefix: str) -> np.ndarray:
        out = x @ self._w[prefix + ".weight"]
        out += self._w[prefix + ".bias"]
        return out

    def _norm(self, x: np.ndarray, prefix: str) -> np.ndarray:
        return _layer_norm(x, self._w[prefix + ".weight"], self._w[prefix + ".bias"])

    def _ffn(self, x: np.ndarray, first: str, second: str) -> np.ndarray:
        hidden = self._lin(x, first)
        np.maximum(hidden, 0, out=hidden)
        return self._lin(hidden, second)

    def _split(self, x: np.ndarray, b: int, t: int) -> np.ndarray:
        return x.reshape(b, t, self.heads, self.head_dim)

    # -- 0.1a: nn.TransformerEncoder/Decoder, post-norm, ReLU ------------------------------
    def _mha(self, query: np.ndarray, memory: np.ndarray, prefix: str, b: int, t: int):
        w, bias = self._w[prefix + ".in_proj_weight"], self._w[prefix + ".in_proj_bias"]
        h = query.shape[1]
        if query is memory:
            qkv = query @ w
            qkv += bias
            q, k, v = qkv[:, :h], qkv[:, h : 2 * h], qkv[:, 2 * h :]
        else:
            q = query @ w[:, :h]
            q += bias[:h]
            kv = memory @ w[:, h:]
            kv += bias[h:]
            k, v = kv[:, :h], kv[:, h:]
        split = self._split
        out = _softmax_attention(split(q, b, t), split(k, b, t), split(v, b, t))
        return self._lin(out, prefix + ".out_proj")

    def _forward_v01a(self, x: np.ndarray, b: int, t: int) -> np.ndarray:
        w, n = self._w, self.config.n_layers
        hidden = self._lin(x, "encoder.embedding").reshape(b, t, -1)
        hidden += w["encoder.pos_encoder.pe"][:t, 0]
        x = hidden.reshape(b * t, -1)
        for i in range(n):
            p = f"encoder.transformer_encoder.layers.{i}."
            x = self._norm(x + self._mha(x, x, p + "self_attn", b, t), p + "norm1")
            x = self._norm(x + self._ffn(x, p + "linear1", p + "linear2"), p + "norm2")
        memory = x
        # The reference's batch-size-1 cross-attention: each step attends only to itself.
        ca = "decoder.cross_attention."
        quirk = self._lin(self._lin(memory, ca + "v_linear"), ca + "out_linear")
        tgt = (memory.reshape(b, t, -1) + w["decoder.pos_encoder.pe"][:t, 0]).reshape(b * t, -1)
        x = tgt + quirk
        for i in range(n):
            p = f"decoder.transformer_decoder.layers.{i}."
            x = self._norm(x + self._mha(x, x, p + "self_attn", b, t), p + "norm1")
            x = self._norm(x + self._mha(x, memory, p + "multihead_attn", b, t), p + "norm2")
            x = self._norm(x + self._ffn(x, p + "linear1", p + "linear2"), p + "norm3")
        return self._lin(x, "decoder.fc_output")

    # -- 2025: rotary attention, feed-forward, final norms ---------------------------------
    def _rope_tables(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        if t not in self._rope_cache:
            d = self.head_dim
            position = np.arange(t, dtype=np.float32)[:, None]
            dims = np.arange(0, d, 2, dtype=np.float32)
            angle = position * np.exp(np.float32(-math.log(10000.0)) * dims / np.float32(d))
            # (T, 1, d/2): broadcast over (B, T, heads, d/2)
            self._rope_cache[t] = (np.cos(angle)[:, None, :], np.sin(angle)[:, None, :])
        return self._rope_cache[t]

    def _rope(self, x: np.ndarray, b: int, t: int) -> np.ndarray:
        cos, sin = self._rope_tables(t)
        x = self._split(x, b, t)
        half = self.head_dim // 2
        even, odd = x[..., :half], x[..., half:]
        return np.concatenate([even * cos - odd * sin, even * sin + odd * cos], axis=-1)

    def _rotary(self, query: np.ndarray, memory: np.ndarray, prefix: str, b: int, t: int):
        q = self._rope(self._lin(query, prefix + ".q_linear"), b, t)
        k = self._rope(self._lin(memory, prefix + ".k_linear"), b, t)
        v = self._split(self._lin(memory, prefix + ".v_linear"), b, t)
        return self._lin(_softmax_attention(q, k, v), prefix + ".out_linear")

    def _forward_v2025(self, x: np.ndarray, b: int, t: int) -> np.ndarray:
        n = self.config.n_layers
        x = self._lin(x, "encoder.embedding")
        for i in range(n):
            p = f"encoder.transformer_encoder.{i}."
            x = self._norm(x + self._rotary(x, x, p + "self_attn", b, t), p + "norm1")
            x = self._norm(x + self._ffn(x, p + "ffn.linear1", p + "ffn.linear2"), p + "norm2")
        memory = self._norm(x, "encoder.layer_norm")
        x = memory
        for i in range(n):
            p = f"decoder.transformer_decoder.{i}."
            x = self._norm(x + self._rotary(x, x, p + "self_attn", b, t), p + "norm1")
            x = self._norm(x + self._rotary(x, memory, p + "multihead_attn", b, t), p + "norm2")
            x = self._norm(x + self._ffn(x, p + "ffn.linear1", p + "ffn.linear2"), p + "norm3")
        return self._lin(self._norm(x, "decoder.layer_norm"), "decoder.fc_output")
