#!/usr/bin/env python3
"""Loads a NativeCore checkpoint into a plain PyTorch minGPT and compares logits with NativeCore's.

Usage: load_checkpoint.py CHECKPOINT_DIR BATCH.safetensors
BATCH holds `tokens` (int32 [B,T]) and `logits` (float32 [B,T,V], computed by NativeCore).
Prints one JSON line: {"max_rel_error": ..., "shape": [...]}.
Reads safetensors with struct/json only, so it needs nothing beyond torch."""
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = bytearray(data[8 + n:])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        t = torch.frombuffer(body[b:end], dtype=DTYPES[e["dtype"]]) if end > b else torch.empty(0, dtype=DTYPES[e["dtype"]])
        out[name] = t.reshape(e["shape"]).clone()
    return out


class Block(nn.Module):
    def __init__(self, c, nh, bias, eps):
        super().__init__()
        self.nh = nh
        self.ln_1 = nn.LayerNorm(c, eps=eps, elementwise_affine=True)
        self.c_attn = nn.Linear(c, 3 * c, bias=bias)
        self.c_proj = nn.Linear(c, c, bias=bias)
        self.ln_2 = nn.LayerNorm(c, eps=eps)
        self.c_fc = nn.Linear(c, 4 * c, bias=bias)
        self.mlp_proj = nn.Linear(4 * c, c, bias=bias)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=2)
        hs = c // self.nh
        q, k, v = (z.view(b, t, self.nh, hs).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
        mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
        att = F.softmax(att.masked_fill(~mask, float("-inf")), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


def main():
    ckpt, batch_path = sys.argv[1], sys.argv[2]
    card = f"{ckpt}/model.json" if os.path.exists(f"{ckpt}/model.json") else f"{ckpt}/checkpoint.json"
    cfg = json.load(open(card))["config"]["model"]
    c, nl = cfg["n_embd"], cfg["n_layer"]
    w = read_safetensors(f"{ckpt}/model.safetensors")
    blocks = nn.ModuleList([Block(c, cfg["n_head"], cfg["bias"], cfg["layer_norm_eps"]) for _ in range(nl)])
    for i, blk in enumerate(blocks):
        p = f"transformer.h.{i}."
        names = {"ln_1": "ln_1", "c_attn": "attn.c_attn", "c_proj": "attn.c_proj", "ln_2": "ln_2", "c_fc": "mlp.c_fc", "mlp_proj": "mlp.c_proj"}
        for mod, key in names.items():
            m = getattr(blk, mod)
            m.weight.data = w[p + key + ".weight"]
            if cfg["bias"]:
                m.bias.data = w[p + key + ".bias"]
    ln_f = nn.LayerNorm(c, eps=cfg["layer_norm_eps"])
    ln_f.weight.data = w["transformer.ln_f.weight"]
    if cfg["bias"]:
        ln_f.bias.data = w["transformer.ln_f.bias"]
    head = w["transformer.wte.weight"] if cfg["tied_embeddings"] else w["lm_head.weight"]

    batch = read_safetensors(batch_path)
    tokens = batch["tokens"].long()
    t = tokens.shape[1]
    with torch.no_grad():
        x = w["transformer.wte.weight"][tokens] + w["transformer.wpe.weight"][:t]
        for blk in blocks:
            x = blk(x)
        logits = ln_f(x) @ head.T
    ours = batch["logits"]
    err = ((logits - ours).abs().max() / ours.abs().max()).item()
    print(json.dumps({"max_rel_error": err, "shape": list(logits.shape)}))


if __name__ == "__main__":
    main()
