#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into fuzz/seeds/<target>/.

`make fuzz` starts each target from them; `make test` replays them (see the
Makefile). Each seed is a real input in the target's own layout: a knob byte
(see the target's comments) and then the stream, the event data, the text or
the header value. Run from the repository root: python3 fuzz/seeds/make_seeds.py
"""

import glob
import hashlib
import os
import re
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")


def write(target, data):
    folder = os.path.join(SEEDS, target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def wires():
    """(format index of the delta_stream target, bytes) of each tests/wire fixture."""
    formats = {"openai-responses": 2, "openai": 0, "anthropic": 1, "ai-sdk": 3}
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "wire", "*.sse"))):
        name = os.path.basename(path)
        index = next(i for prefix, i in formats.items() if name.startswith(prefix))
        with open(path, "rb") as f:
            yield index, f.read()


def events(stream):
    """(event type, data) of each block of a stream, naively."""
    for block in re.split(rb"\r?\n\r?\n", stream):
        event, data = b"message", []
        for line in re.split(rb"\r?\n", block):
            field, _, value = line.partition(b":")
            value = value[1:] if value.startswith(b" ") else value
            if field == b"event":
                event = value
            elif field == b"data":
                data.append(value)
        if data:
            yield event, b"\n".join(data)


# parser: knob (chunk size, and a limit when >= 128), then the stream.
PARSER_STREAMS = [
    b"data: hello\n\n",
    b"\xef\xbb\xbfid: 1\r\nevent: a\r\ndata: x\r\ndata\r\n\r\n",
    b"data: a\rdata: b\r\rretry: 300\n: comment\nid: 2\x00x\ndata: c\n\n",
    b"data: \xe2\x82\xac \xf0\x9f\x8e\n\nfoo: bar\nretry: 1.5\n\n",
    b"id: 7\n\ndata: this line is far too long for a small limit\ndata: ok\n\ndata: next\n\n",
]
for knob in (0, 5, 16, 130, 200):
    for stream in PARSER_STREAMS:
        write("parser", bytes([knob]) + stream)
for _, stream in wires():
    write("parser", bytes([3]) + stream)

# delta_stream: knob = format + 6 * mode + 18 * (chunk - 1), then the stream.
for index, stream in wires():
    for mode, chunk in ((0, 1), (1, 4), (2, 9)):
        write("delta_stream", bytes([index + 6 * mode + 18 * (chunk - 1)]) + stream)
write("delta_stream", bytes([4 + 6 * 2]) + b"data: **bold** and `code`\n\ndata: | a |\n\n")
write("delta_stream", bytes([5 + 6]) + b'data: {"a":[{"b":"x\\u00e9"}]}\n\ndata: [DONE]\n\n')

# json_extract: knob = preset + 8 * event type, then the data (for preset 6
# and 7 a pointer line first).
EVENTS = [b"message", b"error", b"content_block_start", b"content_block_delta", b"content_block_stop",
          b"message_start", b"message_delta", b"message_stop", b"response.output_text.delta",
          b"response.output_item.added", b"response.function_call_arguments.delta", b"response.completed",
          b"response.failed", b"ping"]
for index, stream in wires():
    preset = [0, 1, 2, 3][index]
    for event, data in events(stream):
        kind = EVENTS.index(event) if event in EVENTS else 0
        write("json_extract", bytes([preset + 8 * kind]) + data)
write("json_extract", bytes([4]) + b"plain text")
write("json_extract", bytes([5]) + b'{"choices":[{"delta":{"content":"hi \\ud83d\\ude00"}}]}')
write("json_extract", bytes([6]) + b"/a~1b/0/~0c\n" + b'{"a/b":[{"~c":"x"}],"error":null}')
write("json_extract", bytes([7]) + b"/x\n[DONE]")
write("json_extract", bytes([6]) + b"/bad~2\n{}")

# markdown: knob (even: hold, odd: heal), piece sizes as bytes < 16, then text.
for path in sorted(glob.glob(os.path.join(ROOT, "tests", "corpus", "markdown", "*.md")))[:6]:
    with open(path, "rb") as f:
        doc = f.read()[:1500]
    for knob, cuts in ((0, [0]), (1, [3, 0, 11]), (2, [6, 1])):
        write("markdown", bytes([knob] + cuts) + doc)
for text in ["**bold *nested* text** and `code`", "| a | b |\n|---|---|\n| 1 | 2 |\n",
             "```rust\nfn main() {}\n```\n", "[link](http://x.y) ![img](a.png) <b>x</b> &amp;"]:
    write("markdown", bytes([0, 2]) + text.encode())
    write("markdown", bytes([1, 0]) + text.encode())

# retry_after: 8 bytes of clock (an f64 of ms, also read as i64 seconds), then the value.
CLOCKS = [struct.pack("<d", 1.7e12), struct.pack("<d", 0.0), struct.pack("<q", 1_700_000_000),
          struct.pack("<d", float("inf"))]
VALUES = ["120", " 5 ", "99999999999999999999999", "Sun, 06 Nov 1994 08:49:37 GMT",
          "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Thu, 31 Dec 2026 23:59:60 GMT",
          "Mon, 29 Feb 2021 00:00:00 GMT", "-1", "yesterday"]
for clock in CLOCKS:
    for value in VALUES:
        write("retry_after", clock + value.encode())
