"""Peer row: d2l §7.6 (LeNet), the book's PyTorch code, with the data held in memory.

The book's net and `train_ch6` (SGD, CrossEntropyLoss, `evaluate_accuracy_gpu`, which on the CPU is
`evaluate_accuracy`), one epoch at a time so that each epoch's training pass and test evaluation are timed; the same
batches in the same order as every other row (the bench's per-epoch orders) and the same initial weights
(Xavier-uniform weights and PyTorch's default biases, drawn by the bench and copied in instead of
`net.apply(init_weights)`). No animator, no device transfers: the data is in memory on the CPU.
Usage: python3 pytorch_lenet.py <run folder written by the bench>.
"""
import sys

import torch
from torch import nn

from common import load_run, report, report_epochs
from d2l_torch import Accumulator, accuracy, evaluate_accuracy, in_memory_iters, load_initial_weights, use_threads, versions


def lenet(channels, classes):
    """§7.6's LeNet, as the book writes it (for 28×28 images)."""
    return nn.Sequential(
        nn.Conv2d(channels, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, classes))


def train_epoch_ch6(net, train_iter, loss, optimizer):
    """One epoch of the book's `train_ch6` loop: the training loss and accuracy it plots."""
    metric = Accumulator(3)
    net.train()
    for X, y in train_iter:
        optimizer.zero_grad()
        y_hat = net(X)
        l = loss(y_hat, y)
        l.backward()
        optimizer.step()
        with torch.no_grad():
            metric.add(l * X.shape[0], accuracy(y_hat, y), X.shape[0])
    return metric[0] / metric[2], metric[1] / metric[2]


def main(folder):
    run, data = load_run(folder)
    use_threads(run)
    if run["model"] != "lenet":
        raise ValueError(f"pytorch_lenet.py trains lenet, not {run['model']}")
    train_iter, test_iter = in_memory_iters(run, data)
    net = lenet(run["sampleShape"][0], run["classes"])
    load_initial_weights(net, data)
    optimizer = torch.optim.SGD(net.parameters(), lr=run["lr"])
    loss = nn.CrossEntropyLoss()
    report(versions())
    report_epochs(run["epochs"], lambda epoch: train_epoch_ch6(net, train_iter(epoch), loss, optimizer),
                  # The book's evaluate_accuracy_gpu: its device moves are no-ops on the CPU, leaving evaluate_accuracy.
                  lambda: evaluate_accuracy(net, test_iter()))


if __name__ == "__main__":
    main(sys.argv[1])
