#!/usr/bin/python3
"""Exports torchvision CNNs with random (seeded) weights to ONNX, for tests and benchmarks only.

Run with Debian's python (python3-torch, python3-torchvision):
    /usr/bin/python3 tools/export_torchvision.py [--out .cache/models] [resnet18 resnet50 mobilenet_v2]

Each model: 224x224 RGB input `input` [batch,3,224,224] (dynamic batch), output `logits`
[batch,1000], opset 13, eval mode, constant folding on. BatchNorm running statistics and affine
parameters are randomised mildly, and BatchNormalization nodes are kept in the ONNX (torch's
export-time Conv+BN folding is skipped), so the engine's BN folding is really exercised. A model already present in the output folder is skipped. Never committed (.cache/ is
git-ignored).
"""
import argparse
import os
import sys

import torch
import torchvision

MODELS = {
    'resnet18': lambda: torchvision.models.resnet18(weights=None),
    'resnet50': lambda: torchvision.models.resnet50(weights=None),
    'mobilenet_v2': lambda: torchvision.models.mobilenet_v2(weights=None),
}
SEED = 1234


def randomise_bn(model, gen):
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
                m.weight.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.1)


def export(name, out_dir):
    path = os.path.join(out_dir, f'{name}.onnx')
    if os.path.exists(path) and os.path.getsize(path) > 0:
        print(f'{name}: cached at {path}')
        return path
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    model = MODELS[name]()
    randomise_bn(model, gen)
    model.eval()
    x = torch.randn(1, 3, 224, 224, generator=gen)
    tmp = path + '.tmp'
    # TrainingMode.PRESERVE on an eval-mode model: the graph is the inference graph, but torch's
    # eval peephole (which folds BatchNorm into Conv) is skipped, so BatchNormalization nodes stay
    # in the ONNX and our engine's BN folding is what gets tested.
    torch.onnx.export(model, x, tmp, opset_version=13, do_constant_folding=True,
                      training=torch.onnx.TrainingMode.PRESERVE,
                      input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
    os.replace(tmp, path)  # atomic: a killed export never leaves a truncated "cached" model
    print(f'{name}: exported to {path} ({os.path.getsize(path) / 1e6:.1f} MB)')
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '.cache', 'models')))
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('models', nargs='*', default=list(MODELS))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        sys.exit(f'unknown model(s): {", ".join(unknown)}; known: {", ".join(MODELS)}')
    os.makedirs(args.out, exist_ok=True)
    for name in args.models:
        export(name, args.out)


if __name__ == '__main__':
    main()
