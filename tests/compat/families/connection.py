"""Connection and server basics: PING ECHO HELLO (RESP2 <-> RESP3)
TIME CLIENT ID/SETNAME/GETNAME INFO QUIT, and unknown commands."""
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
    if r < 0.9:
        return [b"GETNAME"]
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
