#!/usr/bin/python3
"""Writes the PyTorch-exported ONNX fixtures that test/onnx/import.test.ts loads into rnnlab.

Run from the repository root: /usr/bin/python3 scripts/gen_onnx_fixtures.py
Needs the Debian packages python3-torch (and python3-onnx for the opset check). Each model is
Embedding -> LSTM, GRU or RNN (batch_first) -> last step -> Linear -> sigmoid, as a user would train it in PyTorch,
and a bidirectional GRU read from both final states.
Next to each .onnx file, a .json holds a batch of token ids and PyTorch's own outputs for them.
"""
import json
import os

import torch
from torch import nn

OUT = os.path.join('test', 'fixtures', 'onnx')
VOCAB, EMBED, HIDDEN, STEPS, BATCH = 20, 6, 5, 7, 4


class LastStepClassifier(nn.Module):
    def __init__(self, rnn_class):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMBED)
        self.rnn = rnn_class(EMBED, HIDDEN, batch_first=True)
        self.linear = nn.Linear(HIDDEN, 1)

    def forward(self, ids):
        seq, _ = self.rnn(self.embedding(ids))
        return torch.sigmoid(self.linear(seq[:, -1, :]))


class BidirectionalFinalStates(nn.Module):
    """A bidirectional GRU classifying from both directions' final states, h_n[0] and h_n[1] side by side."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMBED)
        self.rnn = nn.GRU(EMBED, HIDDEN, batch_first=True, bidirectional=True)
        self.linear = nn.Linear(2 * HIDDEN, 1)

    def forward(self, ids):
        _, h = self.rnn(self.embedding(ids))
        return torch.sigmoid(self.linear(torch.cat([h[0], h[1]], dim=1)))


def write(name, make_model, seed):
    torch.manual_seed(seed)
    model = make_model().eval()
    ids = torch.randint(0, VOCAB, (BATCH, STEPS), dtype=torch.int64)
    path = os.path.join(OUT, name + '.onnx')
    torch.onnx.export(model, (ids,), path, opset_version=17, input_names=['ids'], output_names=['probability'],
                      dynamic_axes={'ids': {0: 'batch'}, 'probability': {0: 'batch'}})
    with torch.no_grad():
        expected = model(ids)
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump({'ids': ids.tolist(), 'shape': list(ids.shape), 'torch_output': expected.flatten().tolist()}, f)
    print('wrote', path, os.path.getsize(path), 'bytes')


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    write('torch_lstm', lambda: LastStepClassifier(nn.LSTM), 1)
    write('torch_gru', lambda: LastStepClassifier(nn.GRU), 2)
    write('torch_rnn', lambda: LastStepClassifier(nn.RNN), 3)
    write('torch_bigru', BidirectionalFinalStates, 4)
