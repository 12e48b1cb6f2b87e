#!/usr/bin/env python3
"""Writes the seed corpus: every handshake message and record of RFC 8448.

Reads ../ferrotls-test/vectors/rfc8448.txt (the RFC Editor's text) and
writes one file per value into corpus/<target>/.
"""
import hashlib
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
TEXT = open(os.path.join(HERE, "..", "ferrotls-test", "vectors", "rfc8448.txt")).read()

STEP = re.compile(r"^\s+\{(client|server)\}\s+(.*)$")
VALUE = re.compile(r"^\s+([A-Za-z][^:{]*?) \((\d+) octets\):\s+((?:[0-9a-f]{2}\s*)+)$")
HEX = re.compile(r"^\s+((?:[0-9a-f]{2}\s*)+)$")


def values():
    step, label, data, count = "", None, [], 0
    for line in TEXT.splitlines():
        if line.startswith(("Thomson ", "RFC 8448 ")) or "\x0c" in line:
            continue
        m = STEP.match(line)
        v = VALUE.match(line)
        if (m or v) and label is not None:
            yield step, label, bytes(data)
            label = None
        if m:
            step = m.group(2)
        elif v:
            label, count, data = v.group(1), int(v.group(2)), bytes.fromhex(v.group(3)).__iter__()
            data = list(data)
        elif label is not None and HEX.match(line):
            data.extend(bytes.fromhex(line.strip()))
    if label is not None:
        yield step, label, bytes(data)


def write(target, blob):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(blob).hexdigest()), "wb") as f:
        f.write(blob)


for step, label, blob in values():
    if step.startswith("construct") and "handshake message" in step:
        write("handshake_message", blob)
        body = blob[4:]
        if label == "ClientHello":
            write("client_hello", body)
        elif label == "ServerHello":
            write("server_hello", body)
    elif label == "complete record":
        write("record", blob)
