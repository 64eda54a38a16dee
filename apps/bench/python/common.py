"""What both peer scripts share: reading the run the bench wrote, and reporting epochs as JSON lines."""
import json
import os
import sys
import time

import numpy as np


def load_run(folder):
    """The bench's data, initial weights, per-epoch orders and settings (raw little-endian arrays + run.json)."""
    with open(os.path.join(folder, "run.json"), encoding="utf-8") as f:
        run = json.load(f)

    def array(name, dtype, shape):
        return np.fromfile(os.path.join(folder, name), dtype=dtype).reshape(shape)

    features = run["features"]
    return run, {
        "train_images": array("train-images.u8", np.uint8, (run["trainExamples"], features)),
        "train_labels": array("train-labels.u8", np.uint8, (run["trainExamples"],)).astype(np.int64),
        "test_images": array("test-images.u8", np.uint8, (run["testExamples"], features)),
        "test_labels": array("test-labels.u8", np.uint8, (run["testExamples"],)).astype(np.int64),
        "parameters": parameters(array("parameters.f32", np.float32, (-1,)), run["parameters"]),
        "orders": array("orders.u32", np.uint32, (run["epochs"], run["trainExamples"])).astype(np.int64),
    }


def parameters(flat, shapes):
    """The initial parameters, stored one after the other in spec order, by name (PyTorch's state_dict names)."""
    out, offset = {}, 0
    for p in shapes:
        size = int(np.prod(p["shape"]))
        out[p["name"]] = flat[offset:offset + size].reshape(p["shape"])
        offset += size
    if offset != flat.size:
        raise ValueError(f"parameters.f32 holds {flat.size} values, run.json's parameters {offset}")
    return out


_PARENT = os.getppid()


def report(message):
    """One JSON line on stdout, flushed at once so the bench sees progress as it happens.

    Exits instead when the bench's run process that started this script is gone (it was killed: a timeout, Ctrl-C).
    """
    if os.getppid() != _PARENT:
        sys.exit(1)
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def now_ms():
    return time.perf_counter() * 1000.0


def report_epochs(epochs, train_epoch, evaluate):
    """Runs `train_epoch(epoch)` (its loss and accuracy) and `evaluate()` (test accuracy) for each epoch, timing each,
    and reports one line per epoch, as the bench times an adapter's epoch."""
    for epoch in range(epochs):
        started = now_ms()
        train_loss, train_acc = train_epoch(epoch)
        train_ms = now_ms() - started
        started = now_ms()
        test_acc = evaluate()
        report({"epoch": epoch, "trainMs": train_ms, "evalMs": now_ms() - started,
                "trainLoss": train_loss, "trainAcc": train_acc, "testAcc": test_acc})
