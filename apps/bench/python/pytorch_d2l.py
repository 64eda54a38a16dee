"""Peer row: d2l §3.7 (concise softmax regression) or §4.3 (concise MLP), the book's PyTorch code, data in memory.

The same batches in the same order as every other row (the bench's per-epoch orders) and the same initial weights
(copied into the net instead of `net.apply(init_weights)`); `train_epoch_ch3` and `evaluate_accuracy` as the book
writes them. Usage: python3 pytorch_d2l.py <run folder written by the bench>.
"""
import sys

import torch
from torch import nn

from common import load_run, report, report_epochs
from d2l_torch import Accumulator, accuracy, evaluate_accuracy, in_memory_iters, load_initial_weights, use_threads, versions


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


def book_net(model, features, classes):
    """§3.7's and §4.3's nets, as the book writes them."""
    if model == "softmax":
        return nn.Sequential(nn.Flatten(), nn.Linear(features, classes))
    if model == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(features, 256), nn.ReLU(), nn.Linear(256, classes))
    raise ValueError(f"pytorch_d2l.py trains softmax and mlp, not {model}")


def main(folder):
    run, data = load_run(folder)
    use_threads(run)
    train_iter, test_iter = in_memory_iters(run, data)
    net = book_net(run["model"], run["features"], run["classes"])
    load_initial_weights(net, data)
    loss = nn.CrossEntropyLoss(reduction="none")
    trainer = torch.optim.SGD(net.parameters(), lr=run["lr"])
    report(versions())
    report_epochs(run["epochs"], lambda epoch: train_epoch_ch3(net, train_iter(epoch), loss, trainer),
                  lambda: evaluate_accuracy(net, test_iter()))


if __name__ == "__main__":
    main(sys.argv[1])
