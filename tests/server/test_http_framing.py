"""HTTP request framing as RFC 9112 says (issue 25, finding 6): a faulty
Transfer-Encoding, Content-Length with Transfer-Encoding, a missing Host or
a too long target is answered with an error and the connection closed,
before any byte after the header is read as another request. And a
differential test against h11 (python3-h11, a strict HTTP/1.1 parser that
frames bodies; Python's http.server leaves the body to its handler, so it
cannot judge framing) over a corpus of malformed framings."""
import socket

import h11
import pytest

from conftest import raw_command, wait_for


def http_bytes(method, path, headers, body=b"", version=b"HTTP/1.1"):
    head = method + b" " + path + b" " + version + b"\r\n"
    for name, value in headers:
        head += name + b": " + value + b"\r\n"
    return head + b"\r\n" + body


def status_of(reply):
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/") else None


SMUGGLED = (b"DELETE /v1/kv/victim HTTP/1.1\r\nHost: a\r\n"
            b"Content-Length: 0\r\n\r\n")


@pytest.mark.parametrize("te", [b"gzip", b"identity", b"xchunked",
                                b"chunked, identity", b"gzip, chunked",
                                b"chunked, chunked", b"", b"chunked;q=1"])
def test_unsupported_transfer_encoding_is_400_and_close(server, te):
    """Finding 6: the body of a request whose Transfer-Encoding Beast does
    not frame ran as a second request (here: a DELETE of victim)."""
    r = server.redis()
    r.set("victim", "alive")
    data = (b"PUT /v1/kv/tek HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: " + te +
            b"\r\n\r\n" + SMUGGLED)
    reply, closed = raw_command(server.http_port, data)
    assert status_of(reply) == 400, reply
    assert reply.count(b"HTTP/1.1") == 1 and closed
    assert b'"bad_framing"' in reply or b'"bad_request"' in reply
    assert r.get("victim") == b"alive"
    assert r.exists("tek") == 0


@pytest.mark.parametrize("order", ["te_first", "cl_first"])
def test_content_length_with_transfer_encoding_is_400(server, order):
    r = server.redis()
    r.set("victim", "alive")
    fields = [b"Transfer-Encoding: chunked", b"Content-Length: 5"]
    if order == "cl_first":
        fields.reverse()
    body = b"0\r\n\r\n"
    data = (b"PUT /v1/kv/both HTTP/1.1\r\nHost: a\r\n" + b"\r\n".join(fields) +
            b"\r\n\r\n" + body + SMUGGLED)
    reply, closed = raw_command(server.http_port, data)
    assert status_of(reply) == 400 and closed, reply
    assert reply.count(b"HTTP/1.1") == 1
    assert r.get("victim") == b"alive" and r.exists("both") == 0


def test_transfer_encoding_in_http10_is_400(server):
    data = http_bytes(b"PUT", b"/v1/kv/te10", [(b"Transfer-Encoding",
                                                b"chunked")],
                      b"1\r\nx\r\n0\r\n\r\n", b"HTTP/1.0")
    reply, closed = raw_command(server.http_port, data)
    assert status_of(reply) == 400 and closed, reply
    assert server.redis().exists("te10") == 0


def test_chunked_still_works(server):
    data = http_bytes(b"PUT", b"/v1/kv/chunky",
                      [(b"Host", b"a"), (b"Transfer-Encoding", b"Chunked ")],
                      b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n")
    reply, _ = raw_command(server.http_port, data,
                           until=lambda b: b.endswith(b"}\n"))
    assert status_of(reply) == 200, reply
    assert server.redis().get("chunky") == b"abcde"


@pytest.mark.parametrize("hosts,version,want", [
    ([], b"HTTP/1.1", 400),
    ([b"a", b"b"], b"HTTP/1.1", 400),
    ([b"a", b"a"], b"HTTP/1.1", 400),
    ([b"a b"], b"HTTP/1.1", 400),
    ([b"a/b"], b"HTTP/1.1", 400),
    ([b"a", b"b"], b"HTTP/1.0", 400),
    ([], b"HTTP/1.0", 200),
    ([b""], b"HTTP/1.1", 200),
    ([b"[::1]:8080"], b"HTTP/1.1", 200),
    ([b"example.com:80"], b"HTTP/1.1", 200),
])
def test_host_rules(server, hosts, version, want):
    data = http_bytes(b"GET", b"/healthz", [(b"Host", h) for h in hosts],
                      version=version)
    reply, closed = raw_command(server.http_port, data + SMUGGLED,
                                until=lambda b: b.endswith(b"\n"))
    assert status_of(reply) == want, reply
    if want == 400:
        assert b'"bad_host"' in reply


def test_long_target_is_414(server):
    """414 for a target over http_max_uri_bytes (8 KiB), also while the
    request line has not ended yet, and before the header limit's 431."""
    path = b"/v1/kv/" + b"a" * 9000
    reply, closed = raw_command(server.http_port,
                                http_bytes(b"GET", path, [(b"Host", b"a")]))
    assert status_of(reply) == 414 and closed, reply
    with socket.create_connection(("127.0.0.1", server.http_port),
                                  timeout=10) as s:
        s.sendall(b"GET /" + b"b" * 8300)  # no end of the line yet
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(4096)
            assert chunk, buf
            buf += chunk
        assert status_of(buf) == 414
    ok = http_bytes(b"GET", b"/v1/kv/" + b"c" * 8000, [(b"Host", b"a")])
    reply, _ = raw_command(server.http_port, ok,
                           until=lambda b: b.endswith(b"\n"))
    assert status_of(reply) == 404, reply


# ---------------------------------------------------------------------------
# Differential test against h11.
#
# Each case is a request (a PUT of key P-a, framed in some odd way) followed
# by a well-formed canary PUT of P-c. What a parser "ran" is the list of PUTs
# it framed completely before it stopped: for h11, the Request/Data/
# EndOfMessage events; for shale-server, the keys that exist afterwards
# with their values. shale-server must never run a request h11 rejects and,
# where both accept, must frame the same bodies. The cases where shale is
# stricter than h11 on purpose are listed in STRICTER.


def case_bytes(p):
    a = b"/v1/kv/" + p + b"-a"
    canary = (b"PUT /v1/kv/" + p + b"-c HTTP/1.1\r\nHost: h\r\n"
              b"Content-Length: 6\r\n\r\ncanary")
    return a, canary


def te(value, body=b"5\r\nhello\r\n0\r\n\r\n"):
    return lambda a: (b"PUT " + a + b" HTTP/1.1\r\nHost: h\r\n"
                      b"Transfer-Encoding: " + value + b"\r\n\r\n" + body)


def fields(lines, body=b"hello", version=b"HTTP/1.1", start=None):
    def make(a):
        line = start(a) if start else b"PUT " + a + b" " + version
        return line + b"\r\n" + b"".join(f + b"\r\n" for f in lines) + \
            b"\r\n" + body
    return make


CORPUS = {
    "cl": fields([b"Host: h", b"Content-Length: 5"]),
    "te_chunked": te(b"chunked"),
    "te_chunked_upper": te(b"CHUNKED"),
    "te_chunked_ows": te(b"chunked \t"),
    "te_gzip": te(b"gzip"),
    "te_identity": te(b"identity"),
    "te_xchunked": te(b"xchunked"),
    "te_chunked_identity": te(b"chunked, identity"),
    "te_identity_chunked": te(b"identity, chunked"),
    "te_gzip_chunked": te(b"gzip, chunked"),
    "te_chunked_chunked": te(b"chunked, chunked"),
    "te_empty": te(b""),
    "te_twice": fields([b"Host: h", b"Transfer-Encoding: chunked",
                        b"Transfer-Encoding: chunked"],
                       b"5\r\nhello\r\n0\r\n\r\n"),
    "te_gzip_then_chunked": fields([b"Host: h", b"Transfer-Encoding: gzip",
                                    b"Transfer-Encoding: chunked"],
                                   b"5\r\nhello\r\n0\r\n\r\n"),
    "te_chunked_then_identity": fields(
        [b"Host: h", b"Transfer-Encoding: chunked",
         b"Transfer-Encoding: identity"], b"5\r\nhello\r\n0\r\n\r\n"),
    "te_then_cl": fields([b"Host: h", b"Transfer-Encoding: chunked",
                          b"Content-Length: 5"], b"5\r\nhello\r\n0\r\n\r\n"),
    "cl_then_te": fields([b"Host: h", b"Content-Length: 5",
                          b"Transfer-Encoding: chunked"],
                         b"5\r\nhello\r\n0\r\n\r\n"),
    "te_space_before_colon": fields([b"Host: h",
                                     b"Transfer-Encoding : chunked"],
                                    b"5\r\nhello\r\n0\r\n\r\n"),
    "te_obs_fold": fields([b"Host: h", b"Transfer-Encoding:", b" chunked"],
                          b"5\r\nhello\r\n0\r\n\r\n"),
    "te_http10": fields([b"Host: h", b"Transfer-Encoding: chunked"],
                        b"5\r\nhello\r\n0\r\n\r\n", b"HTTP/1.0"),
    "cl_differ": fields([b"Host: h", b"Content-Length: 5",
                         b"Content-Length: 6"]),
    "cl_list_same": fields([b"Host: h", b"Content-Length: 5, 5"]),
    "cl_list_differ": fields([b"Host: h", b"Content-Length: 5, 6"]),
    "cl_twice_same": fields([b"Host: h", b"Content-Length: 5",
                             b"Content-Length: 5"]),
    "cl_plus": fields([b"Host: h", b"Content-Length: +5"]),
    "cl_minus": fields([b"Host: h", b"Content-Length: -5"]),
    "cl_hex": fields([b"Host: h", b"Content-Length: 0x5"]),
    "cl_trailing_junk": fields([b"Host: h", b"Content-Length: 5x"]),
    "cl_empty": fields([b"Host: h", b"Content-Length: "]),
    "cl_huge": fields([b"Host: h",
                       b"Content-Length: 99999999999999999999999"]),
    "cl_space_before_colon": fields([b"Host: h", b"Content-Length : 5"]),
    "no_host": fields([b"Content-Length: 5"]),
    "two_hosts": fields([b"Host: h", b"Host: h", b"Content-Length: 5"]),
    "http10_no_host": fields([b"Content-Length: 5"], version=b"HTTP/1.0"),
    "chunk_size_junk": te(b"chunked", b"zz\r\nhello\r\n0\r\n\r\n"),
    "chunk_size_overflow": te(b"chunked",
                              b"fffffffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
    "chunk_size_negative": te(b"chunked", b"-5\r\nhello\r\n0\r\n\r\n"),
    "chunk_ext": te(b"chunked", b"5;a=b\r\nhello\r\n0\r\n\r\n"),
    "chunk_no_crlf_after_data": te(b"chunked", b"5\r\nhelloXX0\r\n\r\n"),
    "chunk_trailer": te(b"chunked", b"5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"),
    "chunk_bare_lf": te(b"chunked", b"5\nhello\n0\n\n"),
    "bare_lf_header": lambda a: (b"PUT " + a + b" HTTP/1.1\nHost: h\n"
                                 b"Content-Length: 5\n\nhello"),
    "double_space_request_line": fields(
        [b"Host: h", b"Content-Length: 5"],
        start=lambda a: b"PUT  " + a + b" HTTP/1.1"),
    "lowercase_version": fields([b"Host: h", b"Content-Length: 5"],
                                version=b"http/1.1"),
    "version_20": fields([b"Host: h", b"Content-Length: 5"],
                         version=b"HTTP/2.0"),
    "version_12": fields([b"Host: h", b"Content-Length: 5"],
                         version=b"HTTP/1.2"),
    "leading_crlf": fields([b"Host: h", b"Content-Length: 5"],
                           start=lambda a: b"\r\nPUT " + a + b" HTTP/1.1"),
    "nul_in_value": fields([b"Host: h", b"X-A: a\x00b",
                            b"Content-Length: 5"]),
    "space_in_name": fields([b"Host: h", b"X A: b", b"Content-Length: 5"]),
    "empty_name": fields([b"Host: h", b": b", b"Content-Length: 5"]),
    "no_colon": fields([b"Host: h", b"NoColon", b"Content-Length: 5"]),
    "cr_in_value": fields([b"Host: h", b"X-A: a\rb", b"Content-Length: 5"]),
    "bad_host_chars": fields([b"Host: a b", b"Content-Length: 5"]),
    "long_target": fields([b"Host: h", b"Content-Length: 5"],
                          start=lambda a: b"PUT " + a + b"?" + b"q" * 8400 +
                          b" HTTP/1.1"),
}

# shale-server rejects these on purpose where h11 accepts them.
STRICTER = {
    "te_then_cl": "RFC 9112 6.1: a server MAY reject TE with CL (400)",
    "cl_then_te": "RFC 9112 6.1: a server MAY reject TE with CL (400)",
    "bad_host_chars": "RFC 9112 3.2: 400 for an invalid Host value",
    "long_target": "RFC 9112 3: 414 past http_max_uri_bytes",
    "te_http10": "RFC 9112 6.1: TE in HTTP/1.0 is faulty framing",
    "bare_lf_header": "RFC 9112 2.2: a bare LF MAY be taken as a line end",
    "version_12": "Beast accepts only HTTP/1.0 and HTTP/1.1",
    "version_20": "Beast accepts only HTTP/1.0 and HTTP/1.1",
}


def h11_run(data):
    """The PUTs h11 frames completely: {target: body}, then why it
    stopped."""
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(data)
    conn.receive_data(b"")
    ran, cur = {}, None
    while True:
        try:
            ev = conn.next_event()
        except h11.RemoteProtocolError as e:
            return ran, "error: %s" % e
        if ev is h11.NEED_DATA or ev is h11.PAUSED or \
                isinstance(ev, h11.ConnectionClosed):
            return ran, "end"
        if isinstance(ev, h11.Request):
            cur = [ev.target, b""]
        elif isinstance(ev, h11.Data):
            cur[1] += ev.data
        elif isinstance(ev, h11.EndOfMessage):
            ran[cur[0]] = cur[1]
            conn.send(h11.Response(status_code=200,
                                   headers=[(b"Content-Length", b"0")]))
            conn.send(h11.EndOfMessage())
            try:
                conn.start_next_cycle()
            except h11.LocalProtocolError:
                return ran, "not reusable"


def shale_run(server, data, prefix):
    """The PUTs shale-server ran: the keys under prefix afterwards."""
    with socket.create_connection(("127.0.0.1", server.http_port),
                                  timeout=10) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        while True:
            try:
                if not s.recv(65536):
                    break
            except ConnectionResetError:
                break
    r = server.redis()
    return {b"/v1/kv/" + k: r.get(k) for k in r.keys(prefix + b"-*")}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_differential_against_h11(server, name):
    prefix = b"d-" + name.encode()
    a, canary = case_bytes(prefix)
    data = CORPUS[name](a) + canary
    want, why = h11_run(data)
    got = shale_run(server, data, prefix)
    if name in STRICTER:
        assert got == {}, (name, got, STRICTER[name])
        return
    assert got == want, (name, "h11 stopped with " + why)


def test_corpus_has_both_verdicts():
    """The corpus exercises acceptance and rejection on the h11 side."""
    outcomes = set()
    for name, make in CORPUS.items():
        a, canary = case_bytes(b"x")
        ran, why = h11_run(make(a) + canary)
        outcomes.add(why.startswith("error"))
    assert outcomes == {True, False}
