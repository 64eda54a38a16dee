"""What both PyTorch peers share: d2l's Accumulator, accuracy and evaluate_accuracy, and the bench's run as
in-memory tensors."""
import sys

import torch


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


def in_memory_iters(run, data):
    """The data set held in memory as float32 in [0, 1] (ToTensor once, up front), and its batches as iterators.

    `train_iter(epoch)` draws the bench's order of that epoch, so every row trains on the same batches in the same
    order; `test_iter()` goes through the test set in file order, as d2l's `load_data_fashion_mnist` does.
    """
    shape = [-1, *run["sampleShape"]]
    train_x = torch.from_numpy(data["train_images"]).to(torch.float32).div(255).reshape(shape)
    train_y = torch.from_numpy(data["train_labels"])
    test_x = torch.from_numpy(data["test_images"]).to(torch.float32).div(255).reshape(shape)
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

    return train_iter, test_iter


def load_initial_weights(net, data):
    """The bench's initial weights, copied in instead of the book's `net.apply(init_weights)` (same names and layout)."""
    net.load_state_dict({name: torch.from_numpy(value.copy()) for name, value in data["parameters"].items()})


def use_threads(run):
    """The bench's --threads as torch's intra-op threads, when given (else torch's default)."""
    if run.get("threads"):
        torch.set_num_threads(run["threads"])


def versions():
    """The versions line every peer reports first."""
    return {"versions": {"python": sys.version.split()[0], "torch": torch.__version__}, "threads": torch.get_num_threads()}
