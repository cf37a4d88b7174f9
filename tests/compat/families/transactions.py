"""Transactions: MULTI EXEC DISCARD WATCH UNWATCH. The commands queued
between MULTI and EXEC are whatever the other families draw next on that
connection (the runner reads one frame per queued command and compares
EXEC's elements as their commands' replies); WATCH on one connection
meets writes from the others."""
from gen import Cmd, Family

FAMILY = Family("transactions", [
    Cmd("MULTI", lambda g: [], weight=3),
    Cmd("EXEC", lambda g: [], weight=3),
    Cmd("DISCARD", lambda g: [], weight=0.5),
    Cmd("WATCH", lambda g: g.keys(1, 3), weight=2),
    Cmd("UNWATCH", lambda g: [], weight=0.5),
], weight=0.5)
