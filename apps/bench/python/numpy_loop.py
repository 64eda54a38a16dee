"""Peer row: the book's softmax regression as a plain numpy loop (float32, the same batches and initial weights).

Usage: python3 numpy_loop.py <run folder written by the bench>. Prints JSON lines: versions, then one per epoch.
"""
import sys

import numpy as np

from common import load_run, now_ms, report


def main(folder):
    run, data = load_run(folder)
    weight, bias = (p.copy() for p in data["parameters"].values())  # Sequential(Flatten, Linear)
    lr, batch_size = np.float32(run["lr"]), run["batchSize"]
    scale = np.float32(255)  # float32 division: the same values as ToTensor's v / 255
    images, labels = data["train_images"], data["train_labels"]
    test_x = data["test_images"].astype(np.float32) / scale
    report({"versions": {"python": sys.version.split()[0], "numpy": np.__version__}})
    for epoch in range(run["epochs"]):
        order = data["orders"][epoch]
        started = now_ms()
        loss_sum, correct = 0.0, 0
        for start in range(0, len(order), batch_size):
            index = order[start:start + batch_size]
            x = images[index].astype(np.float32) / scale
            y = labels[index]
            logits = x @ weight.T + bias
            shifted = logits - logits.max(axis=1, keepdims=True)
            exp = np.exp(shifted)
            total = exp.sum(axis=1, keepdims=True)
            loss_sum += float((np.log(total[:, 0]) - shifted[np.arange(len(y)), y]).sum())
            correct += int((logits.argmax(axis=1) == y).sum())
            grad = exp / total
            grad[np.arange(len(y)), y] -= 1
            grad /= np.float32(len(y))
            weight -= lr * (grad.T @ x)
            bias -= lr * grad.sum(axis=0)
        train_ms = now_ms() - started
        started = now_ms()
        test_acc = float(((test_x @ weight.T + bias).argmax(axis=1) == data["test_labels"]).mean())
        report({"epoch": epoch, "trainMs": train_ms, "evalMs": now_ms() - started,
                "trainLoss": loss_sum / len(order), "trainAcc": correct / len(order), "testAcc": test_acc})


if __name__ == "__main__":
    main(sys.argv[1])
