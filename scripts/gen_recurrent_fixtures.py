#!/usr/bin/python3
"""Golden values for the recurrent kernels (lstm/gru/simpleRnn forward and backward) from PyTorch.

Writes test/fixtures/recurrent/recurrent.json, which test/kernels/recurrent_fixtures.test.ts compares both the
native and the reference kernels against, so CI needs no torch.

Setup (Debian): apt-get install -y python3-torch. Run from the repository root:
    /usr/bin/python3 scripts/gen_recurrent_fixtures.py

The kernels take the input projection xp = x W + b directly, so torch's layers get xp as their input with an
identity (or gate-permuting) input weight and no input bias. Layout mapping (Keras -> torch):
  - LSTM: gate order i, f, c, o equals torch's i, f, g, o; weight_hh = R^T (R is Keras's recurrent_kernel [U, 4U]).
  - GRU: Keras z, r, h vs torch r, z, n; torch's GRU is Keras's reset_after=True (b_hn inside r * (...)), with
    bias_hh = the Keras recurrent bias (reordered). reset_after=False has no torch layer and is written out with
    torch ops below.
  - SimpleRNN: weight_hh = R^T.
Cases without masking or go_backwards run torch's own nn.LSTM / nn.GRU / nn.RNN over the sequence; cases with them
step torch's LSTMCell / GRUCell / RNNCell and apply Keras's masking (a masked step carries the state, its output
repeats the previous output, which starts at zero) and go_backwards (steps in reverse time, outputs stored in
processing order). Activations other than tanh/sigmoid are written out with torch ops (hard_sigmoid is Keras 2's
clip(0.2 x + 0.5, 0, 1)).

Gradients: the loss is sum(hs * dhs) + sum(hT * dhT) (+ sum(cT * dcT) for the LSTM), with random dhs/dhT/dcT
stored in the fixture; hT/cT are the final states. torch's autograd gives d loss / d (xp, r, rb, h0, c0).
All inputs are float32-representable; everything is computed in float64.
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
ACT = {"linear": 0, "relu": 1, "sigmoid": 2, "tanh": 3, "hard_sigmoid": 4}
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "recurrent", "recurrent.json")


def f32(t):
    """Round to float32-representable values, keep float64."""
    return t.to(torch.float32).to(torch.float64)


def rand(gen, *shape, scale=1.0):
    return f32((torch.rand(*shape, generator=gen) * 2 - 1) * scale)


def act_fn(name):
    return {
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "relu": torch.relu,
        "linear": lambda v: v,
        "hard_sigmoid": lambda v: torch.clamp(0.2 * v + 0.5, 0.0, 1.0),
    }[name]


def make_mask(gen, B, T, kind):
    if kind is None:
        return None
    m = torch.ones(B, T, dtype=torch.int64)
    if kind == "lead":
        for b in range(B):
            lead = int(torch.randint(0, T - 1, (1,), generator=gen))
            m[b, :lead] = 0
        m[B - 1, :] = 0  # one row with no real step at all
        m[0, T // 2] = 0  # and a gap in the middle of a row
    return m


def flat(t, digits=10):
    """A flat list, rounded to `digits` significant digits (inputs are float32 values: 9 digits round-trip)."""
    return [float(f"{v:.{digits}g}") for v in t.reshape(-1).tolist()]


def keras_loop(B, T, U, mask, back, cell, states):
    """Steps cell(t, states) -> (out, new_states) with Keras masking; returns hs [B, T, U] in processing order and
    the final states."""
    outs = []
    prev_out = torch.zeros(B, U)
    for s in range(T):
        t = T - 1 - s if back else s
        out, new = cell(t, states)
        if mask is not None:
            m = mask[:, t].to(torch.float64).unsqueeze(1)
            out = m * out + (1 - m) * prev_out
            new = tuple(m * n + (1 - m) * o for n, o in zip(new, states))
        states = new
        prev_out = out
        outs.append(out)
    return torch.stack(outs, 1), states


def lstm_case(name, seed, B, T, U, act="tanh", rec="sigmoid", back=False, mask_kind=None, init=False, final=True):
    gen = torch.Generator().manual_seed(seed)
    G = 4 * U
    xp = rand(gen, B, T, G, scale=1.5).requires_grad_()
    r = rand(gen, U, G, scale=1.0 / U**0.5 * 1.5).requires_grad_()
    h0 = rand(gen, B, U).requires_grad_() if init else None
    c0 = rand(gen, B, U).requires_grad_() if init else None
    mask = make_mask(gen, B, T, mask_kind)
    dhs = rand(gen, B, T, U)
    dhT = rand(gen, B, U) if final else None
    dcT = rand(gen, B, U) if final else None
    zeros = torch.zeros(B, U)
    torch_native = act == "tanh" and rec == "sigmoid" and not back and mask is None
    if torch_native:
        lstm = torch.nn.LSTM(G, U, bias=False, batch_first=True)
        with torch.no_grad():
            lstm.weight_ih_l0.copy_(torch.eye(G))
            lstm.weight_hh_l0.copy_(r.t())  # [4U, U], gate blocks i, f, g, o
        hx = (h0 if init else zeros).unsqueeze(0), (c0 if init else zeros).unsqueeze(0)
        hs, (hT, cT) = lstm(xp, hx)
        hT, cT = hT[0], cT[0]
        dr_of = lambda: lstm.weight_hh_l0.grad.t()
    else:
        fa, fr = act_fn(act), act_fn(rec)

        def cell(t, st):
            h, c = st
            z = xp[:, t] + h @ r
            i, f, g, o = fr(z[:, :U]), fr(z[:, U:2 * U]), fa(z[:, 2 * U:3 * U]), fr(z[:, 3 * U:])
            c = f * c + i * g
            h = o * fa(c)
            return h, (h, c)

        dr_of = lambda: r.grad
        if act == "tanh" and rec == "sigmoid":
            tc = torch.nn.LSTMCell(G, U, bias=False)
            with torch.no_grad():
                tc.weight_ih.copy_(torch.eye(G))
                tc.weight_hh.copy_(r.t())
            dr_of = lambda: tc.weight_hh.grad.t()

            def cell(t, st):  # noqa: F811 (torch's own cell for the standard activations)
                h, c = tc(xp[:, t], st)
                return h, (h, c)

        hs, (hT, cT) = keras_loop(B, T, U, mask, back, cell, (h0 if init else zeros, c0 if init else zeros))
    loss = (hs * dhs).sum()
    if final:
        loss = loss + (hT * dhT).sum() + (cT * dcT).sum()
    loss.backward()
    return {
        "name": name, "kind": "lstm", "B": B, "T": T, "U": U, "act": ACT[act], "recAct": ACT[rec],
        "goBackwards": back, "mask": flat(mask) if mask is not None else None,
        "xp": flat(xp), "r": flat(r), "h0": flat(h0) if init else None, "c0": flat(c0) if init else None,
        "dhs": flat(dhs), "dhT": flat(dhT) if final else None, "dcT": flat(dcT) if final else None,
        "hs": flat(hs), "hT": flat(hT), "cT": flat(cT),
        "dxp": flat(xp.grad), "dr": flat(dr_of()), "dh0": flat(h0.grad) if init else None,
        "dc0": flat(c0.grad) if init else None,
    }


def gru_case(name, seed, B, T, U, reset_after=True, with_rb=True, act="tanh", rec="sigmoid", back=False,
             mask_kind=None, init=False, final=True):
    gen = torch.Generator().manual_seed(seed)
    G = 3 * U
    xp = rand(gen, B, T, G, scale=1.5).requires_grad_()
    r = rand(gen, U, G, scale=1.0 / U**0.5 * 1.5).requires_grad_()
    rb = rand(gen, G, scale=0.5).requires_grad_() if (reset_after and with_rb) else None
    h0 = rand(gen, B, U).requires_grad_() if init else None
    mask = make_mask(gen, B, T, mask_kind)
    dhs = rand(gen, B, T, U)
    dhT = rand(gen, B, U) if final else None
    zeros = torch.zeros(B, U)
    rz, rr, rh = r[:, :U], r[:, U:2 * U], r[:, 2 * U:]
    # torch's r, z, n blocks from Keras's z, r, h.
    perm = torch.cat([torch.arange(U, 2 * U), torch.arange(0, U), torch.arange(2 * U, 3 * U)])
    whh = torch.cat([rr.t(), rz.t(), rh.t()], 0).detach()
    bhh = torch.cat([rb[U:2 * U], rb[:U], rb[2 * U:]]).detach() if rb is not None else None

    def from_torch(w_grad, b_grad):
        """Keras-layout dr [U, 3U] and drb [3U] from torch's weight_hh / bias_hh gradients (blocks r, z, n)."""
        dr = torch.cat([w_grad[U:2 * U].t(), w_grad[:U].t(), w_grad[2 * U:].t()], 1)
        drb = torch.cat([b_grad[U:2 * U], b_grad[:U], b_grad[2 * U:]]) if b_grad is not None else None
        return dr, drb

    grads = lambda: (r.grad, rb.grad if rb is not None else None)
    standard = act == "tanh" and rec == "sigmoid" and reset_after
    if standard and not back and mask is None:
        gru = torch.nn.GRU(G, U, bias=bhh is not None, batch_first=True)
        with torch.no_grad():
            gru.weight_ih_l0.copy_(torch.eye(G))
            gru.weight_hh_l0.copy_(whh)
            if bhh is not None:
                gru.bias_ih_l0.zero_()
                gru.bias_hh_l0.copy_(bhh)
        hs, hT = gru(xp[:, :, perm], (h0 if init else zeros).unsqueeze(0))
        hT = hT[0]
        grads = lambda: from_torch(gru.weight_hh_l0.grad, gru.bias_hh_l0.grad if bhh is not None else None)
    else:
        fa, fr = act_fn(act), act_fn(rec)
        if standard:
            tc = torch.nn.GRUCell(G, U, bias=bhh is not None)
            with torch.no_grad():
                tc.weight_ih.copy_(torch.eye(G))
                tc.weight_hh.copy_(whh)
                if bhh is not None:
                    tc.bias_ih.zero_()
                    tc.bias_hh.copy_(bhh)
            grads = lambda: from_torch(tc.weight_hh.grad, tc.bias_hh.grad if bhh is not None else None)

            def cell(t, st):
                h = tc(xp[:, t][:, perm], st[0])
                return h, (h,)
        elif reset_after:
            def cell(t, st):
                h = st[0]
                hh = h @ r + (rb if rb is not None else 0)
                x = xp[:, t]
                z = fr(x[:, :U] + hh[:, :U])
                q = fr(x[:, U:2 * U] + hh[:, U:2 * U])
                n = fa(x[:, 2 * U:] + q * hh[:, 2 * U:])
                h = z * h + (1 - z) * n
                return h, (h,)
        else:
            def cell(t, st):
                h = st[0]
                x = xp[:, t]
                z = fr(x[:, :U] + h @ rz)
                q = fr(x[:, U:2 * U] + h @ rr)
                n = fa(x[:, 2 * U:] + (q * h) @ rh)
                h = z * h + (1 - z) * n
                return h, (h,)

        hs, (hT,) = keras_loop(B, T, U, mask, back, cell, (h0 if init else zeros,))
    loss = (hs * dhs).sum()
    if final:
        loss = loss + (hT * dhT).sum()
    loss.backward()
    dr, drb = grads()
    return {
        "name": name, "kind": "gru", "B": B, "T": T, "U": U, "act": ACT[act], "recAct": ACT[rec],
        "goBackwards": back, "resetAfter": reset_after, "mask": flat(mask) if mask is not None else None,
        "xp": flat(xp), "r": flat(r), "rb": flat(rb) if rb is not None else None, "h0": flat(h0) if init else None,
        "dhs": flat(dhs), "dhT": flat(dhT) if final else None,
        "hs": flat(hs), "hT": flat(hT),
        "dxp": flat(xp.grad), "dr": flat(dr), "drb": flat(drb) if rb is not None else None,
        "dh0": flat(h0.grad) if init else None,
    }


def rnn_case(name, seed, B, T, U, act="tanh", back=False, mask_kind=None, init=False, final=True):
    gen = torch.Generator().manual_seed(seed)
    xp = rand(gen, B, T, U, scale=1.5).requires_grad_()
    r = rand(gen, U, U, scale=1.0 / U**0.5 * 1.5).requires_grad_()
    h0 = rand(gen, B, U).requires_grad_() if init else None
    mask = make_mask(gen, B, T, mask_kind)
    dhs = rand(gen, B, T, U)
    dhT = rand(gen, B, U) if final else None
    zeros = torch.zeros(B, U)
    if act in ("tanh", "relu"):
        if not back and mask is None:
            rnn = torch.nn.RNN(U, U, nonlinearity=act, bias=False, batch_first=True)
            with torch.no_grad():
                rnn.weight_ih_l0.copy_(torch.eye(U))
                rnn.weight_hh_l0.copy_(r.t())
            hs, hT = rnn(xp, (h0 if init else zeros).unsqueeze(0))
            hT = hT[0]
            dr_of = lambda: rnn.weight_hh_l0.grad.t()
        else:
            tc = torch.nn.RNNCell(U, U, bias=False, nonlinearity=act)
            with torch.no_grad():
                tc.weight_ih.copy_(torch.eye(U))
                tc.weight_hh.copy_(r.t())
            dr_of = lambda: tc.weight_hh.grad.t()

            def cell(t, st):
                h = tc(xp[:, t], st[0])
                return h, (h,)

            hs, (hT,) = keras_loop(B, T, U, mask, back, cell, (h0 if init else zeros,))
    else:
        fa = act_fn(act)
        dr_of = lambda: r.grad

        def cell(t, st):
            h = fa(xp[:, t] + st[0] @ r)
            return h, (h,)

        hs, (hT,) = keras_loop(B, T, U, mask, back, cell, (h0 if init else zeros,))
    loss = (hs * dhs).sum()
    if final:
        loss = loss + (hT * dhT).sum()
    loss.backward()
    return {
        "name": name, "kind": "simpleRnn", "B": B, "T": T, "U": U, "act": ACT[act],
        "goBackwards": back, "mask": flat(mask) if mask is not None else None,
        "xp": flat(xp), "r": flat(r), "h0": flat(h0) if init else None,
        "dhs": flat(dhs), "dhT": flat(dhT) if final else None,
        "hs": flat(hs), "hT": flat(hT),
        "dxp": flat(xp.grad), "dr": flat(dr_of()), "dh0": flat(h0.grad) if init else None,
    }


def main():
    cases = [
        lstm_case("lstm torch.nn.LSTM", 1, 3, 5, 4),
        lstm_case("lstm torch.nn.LSTM h0 c0, U=9", 2, 2, 6, 9, init=True),
        lstm_case("lstm cell: mask, goBackwards, h0 c0", 3, 4, 6, 5, back=True, mask_kind="lead", init=True),
        lstm_case("lstm cell: mask, no final-state gradient", 4, 3, 5, 3, mask_kind="lead", final=False),
        lstm_case("lstm ops: relu / hard_sigmoid", 5, 2, 4, 3, act="relu", rec="hard_sigmoid", init=True),
        gru_case("gru torch.nn.GRU (resetAfter) with rb", 11, 3, 5, 4),
        gru_case("gru torch.nn.GRU (resetAfter) no rb, h0, U=9", 12, 2, 6, 9, with_rb=False, init=True),
        gru_case("gru cell: resetAfter, mask, goBackwards, h0", 13, 4, 6, 5, back=True, mask_kind="lead", init=True),
        gru_case("gru ops: resetAfter=False, mask, h0", 14, 3, 5, 4, reset_after=False, mask_kind="lead", init=True),
        gru_case("gru ops: resetAfter=False, goBackwards", 15, 2, 4, 3, reset_after=False, back=True),
        gru_case("gru ops: resetAfter, hard_sigmoid / relu", 16, 2, 4, 3, act="relu", rec="hard_sigmoid", init=True),
        rnn_case("simpleRnn torch.nn.RNN tanh", 21, 3, 5, 4),
        rnn_case("simpleRnn torch.nn.RNN relu h0, U=9", 22, 2, 6, 9, act="relu", init=True),
        rnn_case("simpleRnn cell: mask, goBackwards, h0", 23, 4, 6, 5, back=True, mask_kind="lead", init=True),
        rnn_case("simpleRnn ops: sigmoid, no final-state gradient", 24, 2, 4, 3, act="sigmoid", final=False),
    ]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    doc = {
        "about": "Golden values for the recurrent kernels from PyTorch " + torch.__version__
                 + "; regenerate with /usr/bin/python3 scripts/gen_recurrent_fixtures.py",
        "cases": cases,
    }
    with open(OUT, "w") as fh:
        json.dump(doc, fh, separators=(",", ":"))
        fh.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
