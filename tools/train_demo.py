#!/usr/bin/python3
"""Trains the bundled demo classifier: a small ResNet-style CNN on Fashion-MNIST.

Run with Debian's python (python3-torch, CPU only):
    /usr/bin/python3 tools/train_demo.py [--epochs 4] [--threads 1]

Reads the IDX files of Debian's dataset-fashion-mnist, trains with a fixed seed, exports
assets/demo/fashion_resnet.onnx (opset 13, dynamic batch) and writes the 1,000-image labelled
sample of the test set plus demo.json with the measured FP32 top-1.
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = '/usr/share/datasets/fashion-mnist'
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'assets', 'demo')
MEAN, STD = 0.2860, 0.3530
CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
           'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']
SAMPLE = 1000


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        raw = f.read()
    magic, = struct.unpack('>I', raw[:4])
    ndim = magic & 0xff
    dims = struct.unpack('>' + 'I' * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims), raw


def write_idx_gz(path, array):
    header = struct.pack('>I', 0x0800 | array.ndim) + struct.pack('>' + 'I' * array.ndim, *array.shape)
    with gzip.GzipFile(path, 'wb', mtime=0) as f:  # mtime=0: byte-identical reruns
        f.write(header + array.astype(np.uint8).tobytes())


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:  # 1x1 projection shortcut
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.proj is None else self.proj(x)))


class FashionResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU())
        self.layer1 = Block(32, 32, 1)
        self.layer2 = Block(32, 64, 2)   # 28 -> 14
        self.layer3 = Block(64, 96, 2)   # 14 -> 7
        self.fc = nn.Linear(96, 10)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.stem(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def to_input(images):
    return (torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1) - MEAN) / STD


def top1(model, x, y, batch=500):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--epochs', type=int, default=4)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seed', type=int, default=20261122)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)

    train_x, _ = read_idx(f'{DATA}/train-images-idx3-ubyte.gz')
    train_y, _ = read_idx(f'{DATA}/train-labels-idx1-ubyte.gz')
    test_x, _ = read_idx(f'{DATA}/t10k-images-idx3-ubyte.gz')
    test_y, _ = read_idx(f'{DATA}/t10k-labels-idx1-ubyte.gz')
    xtr, ytr = to_input(train_x), torch.from_numpy(train_y.astype(np.int64))
    xte, yte = to_input(test_x), torch.from_numpy(test_y.astype(np.int64))

    model = FashionResNet()
    params = sum(p.numel() for p in model.parameters())
    steps_per_epoch = len(xtr) // 128
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=args.epochs * steps_per_epoch)
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(xtr))
        for s in range(steps_per_epoch):
            idx = perm[s * 128:(s + 1) * 128]
            xb = xtr[idx]
            if epoch < args.epochs - 1:  # light augmentation: random horizontal flip
                flip = torch.rand(len(xb)) < 0.5
                xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)
            loss = F.cross_entropy(model(xb), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        print(f'epoch {epoch + 1}/{args.epochs}: loss {loss.item():.3f}, test top-1 {top1(model, xte, yte):.4f}, '
              f'{(time.time() - start) / 60:.1f} min', flush=True)
    minutes = (time.time() - start) / 60

    model.eval()
    acc_full = top1(model, xte, yte)
    acc_sample = top1(model, xte[:SAMPLE], yte[:SAMPLE])
    os.makedirs(OUT, exist_ok=True)
    onnx_path = os.path.join(OUT, 'fashion_resnet.onnx')
    torch.onnx.export(model, xte[:1], onnx_path, opset_version=13, do_constant_folding=True,
                      input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
    write_idx_gz(os.path.join(OUT, 'sample-images-idx3-ubyte.gz'), test_x[:SAMPLE])
    write_idx_gz(os.path.join(OUT, 'sample-labels-idx1-ubyte.gz'), test_y[:SAMPLE])
    meta = {
        'model': 'fashion_resnet.onnx',
        'input': 'input',
        'output': 'logits',
        'input_shape': [1, 28, 28],
        'mean': [MEAN],
        'std': [STD],
        'classes': CLASSES,
        'sample': {'images': 'sample-images-idx3-ubyte.gz', 'labels': 'sample-labels-idx1-ubyte.gz',
                   'count': SAMPLE, 'source': 'first 1,000 images of the Fashion-MNIST test set'},
        'parameters': params,
        'fp32_top1_full_test': round(acc_full, 4),
        'fp32_top1_sample': round(acc_sample, 4),
        'trained_with': {'epochs': args.epochs, 'seed': args.seed, 'threads': args.threads,
                         'torch': torch.__version__, 'minutes': round(minutes, 1)},
    }
    with open(os.path.join(OUT, 'demo.json'), 'w') as f:
        json.dump(meta, f, indent=2)
        f.write('\n')
    print(json.dumps(meta, indent=2))


if __name__ == '__main__':
    main()
