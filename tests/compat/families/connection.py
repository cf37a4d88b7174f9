"""Connection and server basics: PING ECHO HELLO (RESP2 <-> RESP3)
TIME CLIENT ID/SETNAME/GETNAME/KILL/NO-EVICT/PAUSE/UNPAUSE INFO QUIT,
and unknown commands."""
from gen import Cmd, Family


def hello_args(g):
    r = g.rng.random()
    if r < 0.4:
        return [b"3"]
    if r < 0.7:
        return [b"2"]
    if r < 0.75:
        return []
    if r < 0.85:
        return [g.choice([b"3", b"2"]), g.case("SETNAME"),
                g.choice([b"name", b"a b", b"", b"x\n"])]
    if r < 0.9:
        return [g.choice([b"3", b"2"]), g.case("AUTH"), b"default",
                g.choice([b"", b"pw"])]
    return [g.choice([b"1", b"4", b"0", b"-1", b"x", b"3.0", b""])] + \
        g.some([b"AUTH", b"SETNAME", b"foo"], 0, 2)


def client_args(g):
    r = g.rng.random()
    if r < 0.3:
        return [b"ID"]
    if r < 0.6:
        return [b"SETNAME", g.choice([b"name", b"a b", b"", b"x\n", b"ok-1"])]
    if r < 0.8:
        return [b"GETNAME"]
    if r < 0.85:
        # Filters that match no client of the harness: errors and counts.
        return [g.case("KILL")] + g.choice([
            [b"1.2.3.4:5"], [b"ID", g.choice([b"0", b"-1", b"x", b"999999"])],
            [b"TYPE", g.choice([b"master", b"foo", b"replica"])],
            [b"USER", g.choice([b"bob", b"default"]), b"ID", b"999999"],
            [b"ADDR", b"1.2.3.4:5", b"SKIPME", g.choice([b"no", b"x"])],
            [b"LADDR", b"1.2.3.4:5", b"ID"], []])
    if r < 0.88:
        return [g.case("NO-EVICT")] + g.some([b"on", b"OFF", b"maybe"], 0, 2)
    if r < 0.9:
        # A pause that ends at once, its errors, UNPAUSE.
        return g.choice([[b"PAUSE", b"0"], [b"PAUSE", b"0", b"WRITE"],
                         [b"PAUSE", b"-1"], [b"PAUSE", b"x", b"ALL"],
                         [b"PAUSE", b"0", b"none"], [b"UNPAUSE"],
                         [b"UNPAUSE", b"x"]])
    return [g.choice([b"NOSUCH", b"id", b"setname"])]


def unknown_args(g):
    return g.some([b"a", b"", b"x" * 200, b"\xff"], 0, 3)


FAMILY = Family("connection", [
    Cmd("PING", lambda g: g.choice([[], [g.value()]])),
    Cmd("ECHO", lambda g: [g.value()]),
    Cmd("HELLO", hello_args),
    Cmd("TIME", lambda g: [], weight=0.2),
    Cmd("CLIENT", client_args, weight=0.5),
    Cmd("INFO", lambda g: g.choice([[], [b"server"], [b"keyspace"]]),
        weight=0.1),
    Cmd("QUIT", lambda g: [], weight=0.1, mangle=False),
    Cmd("NOSUCHCOMMAND", unknown_args, weight=0.2, exact_case=True),
], weight=0.3)
