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

    features, classes = run["features"], run["classes"]
    return run, {
        "train_images": array("train-images.u8", np.uint8, (run["trainExamples"], features)),
        "train_labels": array("train-labels.u8", np.uint8, (run["trainExamples"],)).astype(np.int64),
        "test_images": array("test-images.u8", np.uint8, (run["testExamples"], features)),
        "test_labels": array("test-labels.u8", np.uint8, (run["testExamples"],)).astype(np.int64),
        "weight": array("weight.f32", np.float32, (classes, features)),
        "bias": array("bias.f32", np.float32, (classes,)),
        "orders": array("orders.u32", np.uint32, (run["epochs"], run["trainExamples"])).astype(np.int64),
    }


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
