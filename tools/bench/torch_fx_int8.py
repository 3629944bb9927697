#!/usr/bin/python3
"""PyTorch 1.13 FX INT8 peer for `npm run bench`: torchvision models with the same seeded random
weights as tools/export_torchvision.py, quantized with FX graph mode (prepare_fx / convert_fx) and
the 'onednn' backend and qconfig (Debian's torch links the same oneDNN 2.6.3 as our runtime),
calibrated on random-normal data.

Two modes (run with Debian's python: /usr/bin/python3):
  torch_fx_int8.py --model resnet18 --batch 1 --iters 20 [--threads N]
      prints one JSON line {"model", "batch", "median_ms", "ms": [...]}
  torch_fx_int8.py --serve [--threads N]
      reads JSON requests line by line from stdin, {"model": "resnet18", "batch": 1, "iters": 5},
      answers {"ms": [...]} per request (one untimed run first), so the benchmark can interleave
      this process with the Node systems round-robin. {"error": "..."} on failure.
"""
import argparse
import json
import os
import sys
import time

import torch
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from export_torchvision import MODELS, SEED, randomise_bn  # noqa: E402

CALIB_BATCHES = 4  # x 4 images: the data does not change speed


def quantized(name):
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    model = MODELS[name]()
    randomise_bn(model, gen)
    model.eval()
    torch.backends.quantized.engine = 'onednn'
    example = (torch.randn(1, 3, 224, 224, generator=gen),)
    prepared = prepare_fx(model, get_default_qconfig_mapping('onednn'), example_inputs=example)
    with torch.inference_mode():
        for _ in range(CALIB_BATCHES):
            prepared(torch.randn(4, 3, 224, 224, generator=gen))
    return convert_fx(prepared)


class Runner:
    def __init__(self):
        self.models = {}

    def times(self, name, batch, iters):
        if name not in MODELS:
            raise ValueError(f'unknown model {name}; known: {", ".join(MODELS)}')
        if name not in self.models:
            self.models[name] = quantized(name)
        model = self.models[name]
        x = torch.randn(batch, 3, 224, 224)
        out = []
        with torch.inference_mode():
            model(x)  # untimed: first run at this batch (oneDNN primitive creation) / after a switch
            for _ in range(iters):
                t0 = time.perf_counter()
                model(x)
                out.append((time.perf_counter() - t0) * 1000.0)
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--serve', action='store_true')
    ap.add_argument('--model', default='resnet18')
    ap.add_argument('--batch', type=int, default=1)
    ap.add_argument('--iters', type=int, default=20)
    ap.add_argument('--threads', type=int, default=os.cpu_count())
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    runner = Runner()
    if not args.serve:
        ms = runner.times(args.model, args.batch, args.iters)
        s = sorted(ms)
        print(json.dumps({'model': args.model, 'batch': args.batch, 'median_ms': s[len(s) // 2], 'ms': ms}))
        return
    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            reply = {'ms': runner.times(req['model'], int(req['batch']), int(req['iters']))}
        except Exception as e:  # report, keep serving: one model failing must not end the others
            reply = {'error': f'{type(e).__name__}: {e}'}
        print(json.dumps(reply), flush=True)


if __name__ == '__main__':
    main()
