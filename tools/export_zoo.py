#!/usr/bin/python3
"""Exports the model corpus (tools/zoo-corpus.json) to ONNX with random (seeded) weights, for the
corpus tests (test/zoo/) only: one model of every torchvision 0.14 classification family, the
segmentation models, and a BERT-style text encoder written here.

Run with Debian's python (python3-torch, python3-torchvision):
    /usr/bin/python3 tools/export_zoo.py [--out .cache/zoo] [--tier fast|heavy|all] [NAME ...]

Vision models: input `input` [batch,3,S,S] (S from the corpus list), output `logits` (or `out`,
[batch,21,S,S], for segmentation), PyTorch's default opset 14, dynamic batch, eval mode, constant
folding on. BatchNorm statistics and LayerNorm affine parameters are randomised mildly and weights
a framework zero-initialises (ViT's head) get small random values, so every layer matters.
The encoder: inputs `input_ids` int64 and `attention_mask` int64 [batch,seq] (both dims dynamic),
output `logits` [batch,classes]; token + position embeddings, LayerNorm, N post-norm encoder
layers (multi-head attention with the additive mask, GELU feed-forward), a [CLS] pooler and head;
opset 17 (LayerNormalization) or 14 (LayerNorm exported as ReduceMean/Sub/Pow/Sqrt/Div).
Each model gets a sidecar NAME.json (inputs, outputs, export settings). A model already exported
is skipped. Never committed (.cache/ is git-ignored).
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, 'zoo-corpus.json')
SEED = 1234


def load_corpus():
    with open(CORPUS) as f:
        return json.load(f)


def randomise(model, gen):
    """BN/LN statistics and affine terms off their defaults; no all-zero weight matrices."""
    for m in model.modules():
        with torch.no_grad():
            if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                c = m.num_features
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
                if m.affine:
                    m.weight.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
                    m.bias.copy_(torch.randn(c, generator=gen) * 0.1)
            elif isinstance(m, torch.nn.LayerNorm) and m.elementwise_affine:
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)
            elif isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)) and not m.weight.any():
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) / math.sqrt(fan_in))
    # ConvNeXt's layer scale starts at 1e-6, which would make every block an identity.
    for name, p in model.named_parameters():
        if name.endswith('layer_scale'):
            with torch.no_grad():
                p.copy_(torch.rand(p.shape, generator=gen) * 0.5 + 0.25)


class SegmentationOut(torch.nn.Module):
    """torchvision segmentation models return a dict; export its 'out' tensor."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)['out']


def vision_model(name, task):
    if task == 'segmentation':
        ctor = getattr(torchvision.models.segmentation, name)
        return SegmentationOut(ctor(weights=None, weights_backbone=None, aux_loss=False))
    kwargs = {}
    if name in ('googlenet', 'inception_v3'):
        kwargs = {'aux_logits': False, 'init_weights': True}
    return getattr(torchvision.models, name)(weights=None, **kwargs)


class EncoderLayer(torch.nn.Module):
    def __init__(self, hidden, heads, ffn):
        super().__init__()
        self.heads = heads
        self.qkv = torch.nn.ModuleList([torch.nn.Linear(hidden, hidden) for _ in range(3)])
        self.out = torch.nn.Linear(hidden, hidden)
        self.ln1 = torch.nn.LayerNorm(hidden, eps=1e-12)
        self.ff1 = torch.nn.Linear(hidden, ffn)
        self.ff2 = torch.nn.Linear(ffn, hidden)
        self.ln2 = torch.nn.LayerNorm(hidden, eps=1e-12)
        self.act = torch.nn.GELU()

    def forward(self, x, mask_bias):
        b, s, h = x.shape
        d = h // self.heads
        q, k, v = [lin(x).view(b, s, self.heads, d).transpose(1, 2) for lin in self.qkv]
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d) + mask_bias
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(x + self.out(ctx))
        return self.ln2(x + self.ff2(self.act(self.ff1(x))))


class BertEncoder(torch.nn.Module):
    def __init__(self, vocab, hidden, heads, ffn, layers, max_positions, classes):
        super().__init__()
        self.tokens = torch.nn.Embedding(vocab, hidden)
        self.positions = torch.nn.Embedding(max_positions, hidden)
        self.register_buffer('position_ids', torch.arange(max_positions).unsqueeze(0))
        self.ln = torch.nn.LayerNorm(hidden, eps=1e-12)
        self.layers = torch.nn.ModuleList([EncoderLayer(hidden, heads, ffn) for _ in range(layers)])
        self.pool = torch.nn.Linear(hidden, hidden)
        self.head = torch.nn.Linear(hidden, classes)
        for m in self.modules():
            if isinstance(m, (torch.nn.Linear, torch.nn.Embedding)):
                torch.nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, torch.nn.Linear):
                torch.nn.init.normal_(m.bias, std=0.02)

    def forward(self, input_ids, attention_mask):
        s = input_ids.shape[1]
        x = self.ln(self.tokens(input_ids) + self.positions(self.position_ids[:, :s]))
        mask_bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, mask_bias)
        return self.head(torch.tanh(self.pool(x[:, 0])))


def export_one(entry, bert, out_dir):
    name = entry['name']
    path = os.path.join(out_dir, f'{name}.onnx')
    meta_path = os.path.join(out_dir, f'{name}.json')
    if os.path.exists(path) and os.path.getsize(path) > 0 and os.path.exists(meta_path):
        print(f'{name}: cached at {path}')
        return
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    task = entry.get('task', 'classification')
    opset = entry.get('opset', 14)
    t0 = time.time()
    if task == 'text':
        model = BertEncoder(**bert)
        seq = entry['seq']
        args = (torch.randint(0, bert['vocab'], (1, seq), generator=gen), torch.ones(1, seq, dtype=torch.int64))
        input_names = ['input_ids', 'attention_mask']
        output_names = ['logits']
        dynamic = {'input_ids': {0: 'batch', 1: 'seq'}, 'attention_mask': {0: 'batch', 1: 'seq'}, 'logits': {0: 'batch'}}
        inputs = [{'name': n, 'dtype': 'int64', 'dims': ['batch', 'seq']} for n in input_names]
    else:
        model = vision_model(entry.get('arch', name), task)
        s = entry['size']
        args = (torch.randn(1, 3, s, s, generator=gen),)
        input_names = ['input']
        output_names = ['out' if task == 'segmentation' else 'logits']
        dynamic = {'input': {0: 'batch'}, output_names[0]: {0: 'batch'}}
        inputs = [{'name': 'input', 'dtype': 'float32', 'dims': ['batch', 3, s, s]}]
    randomise(model, gen)
    model.eval()
    tmp = path + '.tmp'
    # No torch.no_grad(): under it nn.MultiheadAttention (ViT) takes its fused fast path, an op
    # (aten::_native_multi_head_attention) the ONNX exporter does not know.
    torch.onnx.export(model, args, tmp, opset_version=opset, do_constant_folding=True,
                      input_names=input_names, output_names=output_names, dynamic_axes=dynamic)
    os.replace(tmp, path)  # atomic: a killed export never leaves a truncated "cached" model
    meta = {'name': name, 'family': entry['family'], 'task': task, 'opset': opset, 'inputs': inputs,
            'outputs': output_names, 'torch': torch.__version__, 'torchvision': torchvision.__version__}
    if task == 'text':
        meta['vocab'] = bert['vocab']
        meta['seq'] = entry['seq']
    with open(meta_path, 'w') as f:
        json.dump(meta, f, indent=1)
    print(f'{name}: exported to {path} ({os.path.getsize(path) / 1e6:.1f} MB, {time.time() - t0:.1f} s)')


def main():
    corpus = load_corpus()
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.normpath(os.path.join(HERE, '..', '.cache', 'zoo')))
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--tier', choices=['fast', 'heavy', 'all'], default='all')
    ap.add_argument('models', nargs='*')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    known = {e['name']: e for e in corpus['models']}
    unknown = [m for m in args.models if m not in known]
    if unknown:
        sys.exit(f'unknown model(s): {", ".join(unknown)}; known: {", ".join(known)}')
    chosen = [known[m] for m in args.models] if args.models else [e for e in corpus['models'] if args.tier in ('all', e['tier'])]
    os.makedirs(args.out, exist_ok=True)
    failed = []
    for entry in chosen:
        try:
            export_one(entry, corpus['bert'], args.out)
        except Exception as e:  # report every model that cannot export, then fail
            failed.append(entry['name'])
            print(f'{entry["name"]}: export failed: {e}', file=sys.stderr)
    if failed:
        sys.exit(f'export failed for: {", ".join(failed)}')


if __name__ == '__main__':
    main()
