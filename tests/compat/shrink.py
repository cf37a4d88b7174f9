"""Shrinks a failing sequence to a small one that still fails the same way
(a mismatch on the same command), by delta debugging: drop chunks of
operations, halving the chunk size down to single operations, until no
single operation can go; then shorten long arguments."""
import time


def _still_fails(runner, ops, name):
    m = runner.run(ops)
    return m if m is not None and m.name() == name else None


def shrink(runner, ops, mismatch, budget_s=120.0, log=print):
    """Returns (ops, mismatch) for the smallest failing sequence found
    within budget_s seconds."""
    deadline = time.monotonic() + budget_s
    name = mismatch.name()
    best = ops[:mismatch.index + 1]
    best_m = _still_fails(runner, best, name)
    if best_m is None:
        log("compat: the failure did not reproduce on replay; "
            "reporting the full sequence")
        return ops, mismatch
    chunk = max(1, len(best) // 2)
    while chunk >= 1 and time.monotonic() < deadline:
        i = 0
        removed = False
        while i < len(best) and time.monotonic() < deadline:
            cand = best[:i] + best[i + chunk:]
            m = _still_fails(runner, cand, name) if cand else None
            if m is not None:
                best, best_m, removed = cand[:m.index + 1], m, True
            else:
                i += chunk
        if not removed:
            chunk //= 2
    # Long arguments: try a short stand-in of the same kind.
    for oi, op in enumerate(best):
        for ai, a in enumerate(op.args):
            if time.monotonic() >= deadline:
                break
            if not isinstance(a, bytes) or len(a) <= 16:
                continue
            for short in (a[:16], a[:1] * 16):
                new_op = type(op)(op.conn, op.args[:ai] + [short] +
                                  op.args[ai + 1:], op.settle_ms)
                cand = best[:oi] + [new_op] + best[oi + 1:]
                m = _still_fails(runner, cand, name)
                if m is not None:
                    best, best_m = cand, m
                    op = new_op
                    break
    return best, best_m
