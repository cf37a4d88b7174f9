"""client-output-buffer-limit: a subscriber that does not read is
disconnected and the server's memory stays bounded; the setting reads and
changes as Redis's does."""
import socket
import time

from conftest import ShaleServer, wait_for
from real_redis import real_redis  # noqa: F401 (fixture)
from resp_raw import RawConn, encode


def vm_kib(pid, field):
    for line in open("/proc/%d/status" % pid):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def info_field(conn, section, name):
    text = conn.call("INFO", section).decode()
    for line in text.split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    return None


def silent_subscriber(port, channel):
    """A client that subscribes and then never reads; its receive buffer is
    small so the server, not the kernel, holds what it is sent."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(encode("SUBSCRIBE", channel))
    return s


def test_slow_subscriber_is_disconnected_memory_bounded():
    # Redis's default pubsub limit (32mb hard, 8mb soft for 60 s).
    srv = ShaleServer().start()
    try:
        pub = RawConn(srv.port, timeout=60)
        subs = [silent_subscriber(srv.port, "flood") for _ in range(3)]
        wait_for(lambda: pub.call("PUBSUB", "NUMSUB", "flood").endswith(
            b":3\r\n"), 10, "three subscribers")
        base = vm_kib(srv.proc.pid, "VmRSS")
        # 3 x 256 MiB would be queued without the limit.
        msg = b"m" * (64 << 10)
        start = time.monotonic()
        for i in range(4096):
            n = pub.call("PUBLISH", "flood", msg)
            if n == b":0\r\n":
                break
        assert n == b":0\r\n", "the subscribers were not disconnected"
        took = time.monotonic() - start
        # Each held at most its 32 MiB hard limit (plus a message) at once.
        grown = vm_kib(srv.proc.pid, "VmHWM") - base
        assert grown < 160 << 10, grown
        assert info_field(pub, "stats",
                          "client_output_buffer_limit_disconnections") == "3"
        # Another client was served all along, and still is.
        other = RawConn(srv.port)
        t = time.monotonic()
        assert other.call("PING") == b"+PONG\r\n"
        assert time.monotonic() - t < 0.1
        for s in subs:
            s.settimeout(10)
            try:
                while s.recv(1 << 20):
                    pass
            except ConnectionResetError:
                pass
            s.close()
        assert "overcoming of output buffer limits" in srv.log()
        print("disconnected after %.2f s, VmHWM grew %d KiB" % (took, grown))
    finally:
        srv.cleanup()


def test_soft_limit_needs_its_seconds(server):
    c = RawConn(server.port)
    assert c.call("CONFIG", "SET", "client-output-buffer-limit",
                  "pubsub 0 256kb 1") == b"+OK\r\n"
    try:
        s = silent_subscriber(server.port, "soft")
        wait_for(lambda: c.call("PUBSUB", "NUMSUB", "soft").endswith(
            b":1\r\n"), 10, "subscriber")
        msg = b"s" * (16 << 10)
        start = time.monotonic()
        # Over the soft limit at once; disconnected only after a second
        # over it (checked as messages arrive).
        while c.call("PUBLISH", "soft", msg) == b":1\r\n":
            assert time.monotonic() - start < 20
            time.sleep(0.01)
        assert time.monotonic() - start >= 0.9
        s.close()
    finally:
        c.call("CONFIG", "SET", "client-output-buffer-limit",
               "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60")


def test_config_matches_redis(server, real_redis):  # noqa: F811
    ours, theirs = RawConn(server.port), RawConn(real_redis.port)
    for args in (
            ("CONFIG", "GET", "client-output-buffer-limit"),
            ("CONFIG", "SET", "client-output-buffer-limit",
             "pubsub 1mb 512KB 10"),
            ("CONFIG", "GET", "client-output-buffer-limit"),
            ("CONFIG", "SET", "client-output-buffer-limit",
             "replica 2g 1G 5 normal 1k 0 0"),
            ("CONFIG", "GET", "client-output-buffer-limit"),
            ("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1 2"),
            ("CONFIG", "SET", "client-output-buffer-limit", "master 1 2 3"),
            ("CONFIG", "SET", "client-output-buffer-limit", "pubsub x 2 3"),
            ("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1 2 -3"),
            ("CONFIG", "SET", "client-output-buffer-limit",
             "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60"),
            ("CONFIG", "GET", "client-output-buffer-limit")):
        assert ours.call(*args) == theirs.call(*args), args
