"""Writes cases.json: the parser conformance cases shared by the native Rust
tests, the wasm tests (Chromium, worker, Node) and the JS package tests.

Run `python3 tests/conformance/make_cases.py` after editing; both files are committed,
and `--check` (run by tests/conformance.rs) says whether cases.json is up to date.
A chunk is a string, or {"hex": "..."} for bytes that are not valid UTF-8.
An item is ["event", type, data, id], ["retry", ms], ["comment", text] or ["error", type].
"""
import json, pathlib, sys

def ev(data, event="message", id=""):
    return ["event", event, data, id]

def hx(b):
    return {"hex": b.hex()}

CASES = [
    ("a blank line dispatches a message", ["data: hello\n\n"], [ev("hello")]),
    ("data lines are joined with LF", ["data: a\ndata: b\ndata\ndata: c\n\n"], [ev("a\nb\n\nc")]),
    ("only one leading space is removed", ["data:  two\ndata:none\n\n"], [ev(" two\nnone")]),
    ("a field without a colon has an empty value", ["data\n\ndata\ndata\n\n"], [ev(""), ev("\n")]),
    ("a value keeps later colons", ["data: a: b:c\n\n"], [ev("a: b:c")]),
    ("the last event field wins", ["event: a\nevent: b\ndata: x\n\n"], [ev("x", "b")]),
    ("the type resets after dispatch", ["event: a\ndata: 1\n\ndata: 2\n\n"], [ev("1", "a"), ev("2")]),
    ("an empty event field means message", ["event:\ndata: x\n\n"], [ev("x")]),
    ("CRLF ends lines", ["data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n"], [ev("a\nb"), ev("c")]),
    ("CR ends lines", ["data: a\rdata: b\r\rdata: c\r\r"], [ev("a\nb"), ev("c")]),
    ("mixed line ends", ["data: a\rdata: b\n\r\ndata: c\r\n\n"], [ev("a\nb"), ev("c")]),
    ("a CR at a chunk end and an LF at the next start are one line end",
     ["data: a\r", "\ndata: b\r", "\n\r", "\n"], [ev("a\nb")]),
    ("a blank CR line ending a chunk dispatches once", ["data: a\r\r", "\ndata: b\r\r"], [ev("a"), ev("b")]),
    ("comments are reported without one leading space",
     [": hi\n:\n:  two\ndata: x\n\n"], [["comment", "hi"], ["comment", ""], ["comment", " two"], ev("x")]),
    ("a comment does not end an event", ["data: a\n: ping\ndata: b\n\n"], [["comment", "ping"], ev("a\nb")]),
    ("the id is sticky", ["id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n"], [ev("a", id="1"), ev("b", id="1"), ev("c", id="2")]),
    ("an empty id clears it", ["id: 1\ndata: a\n\nid\ndata: b\n\n"], [ev("a", id="1"), ev("b")]),
    ("an id with NUL is ignored", ["id: 1\ndata: a\n\nid: 2\u0000x\ndata: b\n\n"], [ev("a", id="1"), ev("b", id="1")]),
    ("a block without data updates the id", ["id: 5\n\ndata: x\n\n"], [ev("x", id="5")]),
    ("an event type without data is forgotten", ["event: a\n\ndata: x\n\n"], [ev("x")]),
    ("retry with digits", ["retry: 3000\nretry: 0\n"], [["retry", 3000], ["retry", 0]]),
    ("retry with anything else is ignored",
     ["retry: 1.5\nretry: -1\nretry: 10 \nretry\n"], [["error", "invalid-retry"]] * 4),
    ("retry applies at once", ["data: a\nretry: 5\n\n"], [["retry", 5], ev("a")]),
    ("unknown fields are ignored", ["foo: bar\nData: x\ndata: y\n\n"], [["error", "unknown-field"], ["error", "unknown-field"], ev("y")]),
    ("an unterminated block is not dispatched", ["data: a\n\nid: 9\ndata: b\n"], [ev("a")]),
    ("one leading BOM is stripped", ["\ufeffdata: a\n\n"], [ev("a")]),
    ("a second BOM is not stripped", ["\ufeff\ufeffdata: a\n\ndata: b\n\n"], [["error", "unknown-field"], ev("b")]),
    ("a BOM split across chunks is stripped", [hx(b"\xef"), hx(b"\xbb"), hx(b"\xbfdata: a\n\n")], [ev("a")]),
    ("a BOM later is data", ["data: \ufeffa\n\n"], [ev("\ufeffa")]),
    ("multi-byte characters split across chunks",
     [hx("data: h\u00e9".encode()[:-1]), hx("\u00e9 \u4e16".encode()[1:-2]), hx("\u4e16\U0001f389".encode()[1:-1]), hx(b"\x89\n\n")],
     [ev("h\u00e9 \u4e16\U0001f389")]),
    ("invalid UTF-8 becomes U+FFFD per maximal subpart",
     [hx(b"data: a\xffb\xe2\x82c\xf0\x9f\x8e\n\n")], [ev("a\ufffdb\ufffdc\ufffd")]),
    ("a truncated sequence before a line end is one U+FFFD", [hx(b"data: \xe2"), hx(b"\x82"), hx(b"\n\n")], [ev("\ufffd")]),
    ("NUL in data is kept", ["data: a\u0000b\n\n"], [ev("a\u0000b")]),
    ("astral characters keep their UTF-16 length", ["event: \U0001f680\nid: \U0001f511\ndata: \U0001f389x\n\ndata: y\n\n"],
     [ev("\U0001f389x", "\U0001f680", "\U0001f511"), ev("y", id="\U0001f511")]),
]

out = [{"name": n, "chunks": c, "items": i} for n, c, i in CASES]
path = pathlib.Path(__file__).with_name("cases.json")
text = '{"cases": [\n' + ",\n".join(json.dumps(c, ensure_ascii=True) for c in out) + "\n]}\n"
if sys.argv[1:] == ["--check"]:
    # The table is committed: a test checks that it is what this script makes.
    if path.read_text() != text:
        sys.exit(f"{path} is not what {pathlib.Path(__file__).name} makes: run it and commit the result")
    print(f"{path} matches its {len(out)} cases")
else:
    path.write_text(text)
    print(f"wrote {len(out)} cases to {path}")
