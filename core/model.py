"""The two NeuroSync encoder-decoder transformer families in torch, with the published names.

This is the reference implementation: training uses it, the optional torch backend runs it
(``load_checkpoint(..., backend="torch")``), and the tests check the default numpy engine
(:mod:`core.numpy_model`) against it.

Both map a window of feature frames (batch, T, input_dim) to (batch, T, output_dim) in one pass
(no autoregression). Module and parameter names match NeuroSync's state dicts exactly, so the
published ``.pth`` files load with ``strict=True``.

``v01a`` (the original 0.1a model): sinusoidal positions, ``nn.TransformerEncoder`` /
``nn.TransformerDecoder`` (post-norm, ReLU, feed-forward 2048; the reference runs them
sequence-first, here they run batch-first, which is the same maths and lets PyTorch use its fused
encoder kernels), plus an extra
cross-attention before the decoder. In the reference that extra attention reshapes a
(T, batch, H) query against (batch, T, H) keys, so at batch size 1 every time step attends to
exactly one key, its own: the softmax is 1 and the block reduces to
``out_linear(v_linear(encoder_output))``. That batch-size-1 result is the truth; this module
computes it directly, so batching chunks gives each chunk its batch-size-1 output.

``v2025``: custom post-norm layers whose attention applies rotary position embeddings to queries
and keys (self- and cross-attention), feed-forward 4 x hidden, and final layer norms.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .constants import FAMILY_V01A, FAMILY_V2025


class PositionalEncoding(nn.Module):
    """Sinusoidal table stored as the buffer ``pe`` of shape (max_len, 1, d_model)."""

    def __init__(self, d_model: int, max_len: int = 1000):
        super().__init__()
        position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe.unsqueeze(1))

    def table(self, length: int) -> torch.Tensor:
        """Positions 0..length-1 as (length, d_model)."""
        return self.pe[:length, 0]


class ProjectionAttention(nn.Module):
    """Holds the q/k/v/out projections under NeuroSync's names (``q_linear`` ...)."""

    def __init__(self, hidden_dim: int):
        super().__init__()
        self.q_linear = nn.Linear(hidden_dim, hidden_dim)
        self.k_linear = nn.Linear(hidden_dim, hidden_dim)
        self.v_linear = nn.Linear(hidden_dim, hidden_dim)
        self.out_linear = nn.Linear(hidden_dim, hidden_dim)


class V01aEncoder(nn.Module):
    def __init__(self, input_dim: int, hidden_dim: int, n_layers: int, num_heads: int, ff_dim: int):
        super().__init__()
        self.embedding = nn.Linear(input_dim, hidden_dim)
        self.pos_encoder = PositionalEncoding(hidden_dim)
        layer = nn.TransformerEncoderLayer(hidden_dim, num_heads, ff_dim, 0.0, batch_first=True)
        self.transformer_encoder = nn.TransformerEncoder(
            layer, n_layers, enable_nested_tensor=False
        )
        self.layer_norm = nn.LayerNorm(
            hidden_dim
        )  # present in the checkpoints, unused (use_norm=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.embedding(x) + self.pos_encoder.table(x.shape[1])
        return self.transformer_encoder(h)


class V01aDecoder(nn.Module):
    def __init__(
        self, output_dim: int, hidden_dim: int, n_layers: int, num_heads: int, ff_dim: int
    ):
        super().__init__()
        self.pos_encoder = PositionalEncoding(hidden_dim)
        self.cross_attention = ProjectionAttention(hidden_dim)
        layer = nn.TransformerDecoderLayer(hidden_dim, num_heads, ff_dim, 0.0, batch_first=True)
        self.transformer_decoder = nn.TransformerDecoder(layer, n_layers)
        self.fc_output = nn.Linear(hidden_dim, output_dim)
        self.layer_norm = nn.LayerNorm(hidden_dim)  # unused, as in the reference

    def forward(self, memory: torch.Tensor) -> torch.Tensor:
        ca = self.cross_attention
        # The reference's batch-size-1 cross-attention: each step attends only to itself.
        tgt = memory + self.pos_encoder.table(memory.shape[1]) + ca.out_linear(ca.v_linear(memory))
        return self.fc_output(self.transformer_decoder(tgt, memory))


def _rope(x: torch.Tensor) -> torch.Tensor:
    """Rotary embedding on (batch, heads, T, head_dim), interleaved even/odd pairs."""
    length, head_dim = x.shape[-2], x.shape[-1]
    position = torch.arange(length, dtype=torch.float, device=x.device).unsqueeze(1)
    dims = torch.arange(0, head_dim, 2, dtype=torch.float, device=x.device)
    angle = position * torch.exp(-math.log(10000.0) * dims / head_dim)
    sin, cos = torch.sin(angle).to(x.dtype), torch.cos(angle).to(x.dtype)
    even, odd = x[..., ::2], x[..., 1::2]
    return torch.stack([even * cos - odd * sin, even * sin + odd * cos], dim=-1).flatten(-2)


class RotaryAttention(ProjectionAttention):
    def __init__(self, hidden_dim: int, num_heads: int):
        super().__init__(hidden_dim)
        if hidden_dim % num_heads:
            raise ValueError(f"hidden_dim {hidden_dim} is not divisible by num_heads {num_heads}")
        self.num_heads = num_heads

    def forward(self, query: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        b, t, h = query.shape

        def heads(x: torch.Tensor) -> torch.Tensor:
            return x.view(b, -1, self.num_heads, h // self.num_heads).transpose(1, 2)

        q = _rope(heads(self.q_linear(query)))
        k = _rope(heads(self.k_linear(memory)))
        v = heads(self.v_linear(memory))
        out = F.scaled_dot_product_attention(q, k, v)
        return self.out_linear(out.transpose(1, 2).reshape(b, t, h))


class FeedForward(nn.Module):
    def __init__(self, hidden_dim: int, ff_dim: int):
        super().__init__()
        self.linear1 = nn.Linear(hidden_dim, ff_dim)
        self.linear2 = nn.Linear(ff_dim, hidden_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(F.relu(self.linear1(x)))


class V2025EncoderLayer(nn.Module):
    def __init__(self, hidden_dim: int, num_heads: int, ff_dim: int):
        super().__init__()
        self.self_attn = RotaryAttention(hidden_dim, num_heads)
        self.ffn = FeedForward(hidden_dim, ff_dim)
        self.norm1 = nn.LayerNorm(hidden_dim)
        self.norm2 = nn.LayerNorm(hidden_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.norm1(x + self.self_attn(x, x))
        return self.norm2(x + self.ffn(x))


class V2025DecoderLayer(nn.Module):
    def __init__(self, hidden_dim: int, num_heads: int, ff_dim: int):
        super().__init__()
        self.self_attn = RotaryAttention(hidden_dim, num_heads)
        self.multihead_attn = RotaryAttention(hidden_dim, num_heads)
        self.ffn = FeedForward(hidden_dim, ff_dim)
        self.norm1 = nn.LayerNorm(hidden_dim)
        self.norm2 = nn.LayerNorm(hidden_dim)
        self.norm3 = nn.LayerNorm(hidden_dim)

    def forward(self, x: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        x = self.norm1(x + self.self_attn(x, x))
        x = self.norm2(x + self.multihead_attn(x, memory))
        return self.norm3(x + self.ffn(x))


class V2025Encoder(nn.Module):
    def __init__(self, input_dim: int, hidden_dim: int, n_layers: int, num_heads: int, ff_dim: int):
        super().__init__()
        self.embedding = nn.Linear(input_dim, hidden_dim)
        self.transformer_encoder = nn.ModuleList(
            V2025EncoderLayer(hidden_dim, num_heads, ff_dim) for _ in range(n_layers)
        )
        self.layer_norm = nn.LayerNorm(hidden_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.embedding(x)
        for layer in self.transformer_encoder:
            x = layer(x)
        return self.layer_norm(x)


class V2025Decoder(nn.Module):
    def __init__(
        self, output_dim: int, hidden_dim: int, n_layers: int, num_heads: int, ff_dim: int
    ):
        super().__init__()
        self.transformer_decoder = nn.ModuleList(
            V2025DecoderLayer(hidden_dim, num_heads, ff_dim) for _ in range(n_layers)
        )
        self.fc_output = nn.Linear(hidden_dim, output_dim)
        self.layer_norm = nn.LayerNorm(hidden_dim)

    def forward(self, memory: torch.Tensor) -> torch.Tensor:
        x = memory
        for layer in self.transformer_decoder:
            x = layer(x, memory)
        return self.fc_output(self.layer_norm(x))


_PARTS = {FAMILY_V01A: (V01aEncoder, V01aDecoder), FAMILY_V2025: (V2025Encoder, V2025Decoder)}


class Seq2Seq(nn.Module):
    """Encoder then decoder: (batch, T, input_dim) -> (batch, T, output_dim)."""

    def __init__(
        self,
        family: str,
        *,
        input_dim: int,
        hidden_dim: int,
        n_layers: int,
        num_heads: int,
        output_dim: int,
        ff_dim: int,
    ):
        super().__init__()
        encoder_cls, decoder_cls = _PARTS[family]
        self.family = family
        self.encoder = encoder_cls(input_dim, hidden_dim, n_layers, num_heads, ff_dim)
        self.decoder = decoder_cls(output_dim, hidden_dim, n_layers, num_heads, ff_dim)

    @classmethod
    def from_config(cls, config) -> Seq2Seq:
        """The architecture a :class:`core.checkpoint.ModelConfig` describes (fresh weights)."""
        return cls(
            config.family,
            input_dim=config.input_dim,
            hidden_dim=config.hidden_dim,
            n_layers=config.n_layers,
            num_heads=config.num_heads,
            output_dim=config.output_dim,
            ff_dim=config.ff_dim,
        )

    def forward(self, src: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(src))
