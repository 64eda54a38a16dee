"""Peer row: d2l §3.7 (concise softmax regression), the book's PyTorch code, with the data held in memory.

The same batches in the same order as every other row (the bench's per-epoch orders) and the same initial weights
(copied into the Linear layer instead of `net.apply(init_weights)`); `train_epoch_ch3`, `accuracy` and
`evaluate_accuracy` as the book writes them. Usage: python3 pytorch_d2l.py <run folder written by the bench>.
"""
import sys

import torch
from torch import nn

from common import load_run, now_ms, report


class Accumulator:
    """For accumulating sums over `n` variables (d2l)."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


def accuracy(y_hat, y):
    """Compute the number of correct predictions (d2l)."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def evaluate_accuracy(net, data_iter):
    """Compute the accuracy for a model on a dataset (d2l)."""
    if isinstance(net, torch.nn.Module):
        net.eval()
    metric = Accumulator(2)
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


def train_epoch_ch3(net, train_iter, loss, updater):
    """The training loop defined in Chapter 3 (d2l)."""
    if isinstance(net, torch.nn.Module):
        net.train()
    metric = Accumulator(3)
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        updater.zero_grad()
        l.mean().backward()
        updater.step()
        metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]


def main(folder):
    run, data = load_run(folder)
    rows, cols = run["sampleShape"][-2:]
    # ToTensor once, up front: the data set is held in memory as float32 in [0, 1].
    train_x = torch.from_numpy(data["train_images"]).to(torch.float32).div(255).reshape(-1, 1, rows, cols)
    train_y = torch.from_numpy(data["train_labels"])
    test_x = torch.from_numpy(data["test_images"]).to(torch.float32).div(255).reshape(-1, 1, rows, cols)
    test_y = torch.from_numpy(data["test_labels"])
    batch_size = run["batchSize"]

    def train_iter(epoch):
        order = torch.from_numpy(data["orders"][epoch])
        for start in range(0, len(order), batch_size):
            index = order[start:start + batch_size]
            yield train_x[index], train_y[index]

    def test_iter():
        for start in range(0, len(test_y), batch_size):
            yield test_x[start:start + batch_size], test_y[start:start + batch_size]

    net = nn.Sequential(nn.Flatten(), nn.Linear(rows * cols, run["classes"]))
    with torch.no_grad():
        net[1].weight.copy_(torch.from_numpy(data["weight"]))
        net[1].bias.copy_(torch.from_numpy(data["bias"]))
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = torch.optim.SGD(net.parameters(), lr=run["lr"])
    report({"versions": {"python": sys.version.split()[0], "torch": torch.__version__},
            "threads": torch.get_num_threads()})
    for epoch in range(run["epochs"]):
        started = now_ms()
        train_loss, train_acc = train_epoch_ch3(net, train_iter(epoch), loss, trainer)
        train_ms = now_ms() - started
        started = now_ms()
        test_acc = evaluate_accuracy(net, test_iter())
        report({"epoch": epoch, "trainMs": train_ms, "evalMs": now_ms() - started,
                "trainLoss": train_loss, "trainAcc": train_acc, "testAcc": test_acc})


if __name__ == "__main__":
    main(sys.argv[1])
