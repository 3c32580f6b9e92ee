#!/usr/bin/env python3
"""PyTorch reference for attune's benchmark: the same BERT encoder (all-MiniLM-L6-v2 shapes by default) with a
2-class mean-pooling head, dropout 0.1, AdamW, gradient clipping; forward and full training step times at one batch
shape, fp32 and bf16 autocast. Weights are random: speed does not depend on their values. Prints JSON lines."""
import argparse, json, math, statistics, time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, h, heads, inter, p):
        super().__init__()
        self.heads, self.hs = heads, h // heads
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attn_out, self.ln1 = nn.Linear(h, h), nn.LayerNorm(h, eps=1e-12)
        self.inter, self.out, self.ln2 = nn.Linear(h, inter), nn.Linear(inter, h), nn.LayerNorm(h, eps=1e-12)
        self.p = p

    def split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.hs).transpose(1, 2)  # (B, nh, T, hs)

    def forward(self, x, bias):
        b, t, h = x.shape
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.hs) + bias
        probs = F.dropout(scores.softmax(-1), self.p, self.training)
        ctx = (probs @ v).transpose(1, 2).reshape(b, t, h)
        x = self.ln1(F.dropout(self.attn_out(ctx), self.p, self.training) + x)
        ff = F.dropout(self.out(F.gelu(self.inter(x))), self.p, self.training)
        return self.ln2(ff + x)


class Classifier(nn.Module):
    def __init__(self, vocab, h, layers, heads, inter, p=0.1, labels=2):
        super().__init__()
        self.word, self.pos, self.token_type = nn.Embedding(vocab, h), nn.Embedding(512, h), nn.Embedding(2, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.layers = nn.ModuleList(Layer(h, heads, inter, p) for _ in range(layers))
        self.classifier = nn.Linear(h, labels)
        self.p = p

    def forward(self, ids, mask):
        t = ids.shape[1]
        x = self.word(ids) + self.pos.weight[:t] + self.token_type.weight[0]
        x = F.dropout(self.ln(x), self.p, self.training)
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, bias)
        m = mask.unsqueeze(-1).float()
        pooled = (x.float() * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return self.classifier(F.dropout(pooled, self.p, self.training))


def median_time(fn, warmup, iterations):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--seq-len", type=int, default=128)
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--hidden", type=int, default=384)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--intermediate", type=int, default=1536)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = Classifier(30522, args.hidden, args.layers, args.heads, args.intermediate)
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or ".ln" in n or n.startswith("ln"))]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or ".ln" in n or n.startswith("ln")]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-5)
    ids = torch.randint(1000, 30522, (args.batch_size, args.seq_len))
    mask = torch.ones_like(ids)
    labels = torch.arange(args.batch_size) % 2
    tokens = args.batch_size * args.seq_len

    for bf16 in (False, True):
        precision = "bf16" if bf16 else "fp32"

        def forward():
            model.eval()
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                model(ids, mask).float().sum().item()

        def train_step():
            model.train()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = F.cross_entropy(model(ids, mask).float(), labels)
            loss.backward()
            loss.item()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)

        for kind, fn, warmup in (("forward", forward, 2), ("train_step", train_step, 3)):
            s = median_time(fn, warmup, args.iterations)
            print(json.dumps({"runtime": "pytorch " + torch.__version__, "kind": kind, "precision": precision,
                              "seconds": round(s, 4), "tokens_per_second": round(tokens / s, 1)}), flush=True)


if __name__ == "__main__":
    main()
