#!/usr/bin/env python3
"""A PJLink projector for ClassGate's tests, written from the PJLink specifications (JBMIA,
class 1 v1.04 2013-12-10 and class 2 v2.00 2017-01-31), not from ClassGate's code.

It listens on 127.0.0.1 (--port, or an ephemeral port; written to --port-file) and, for every connection,
re-reads --state (JSON), so a test can change the projector between polls:

  password      null: greeting "PJLINK 0" (no authentication, spec section 5.2);
                a string: greeting "PJLINK 1 <random>" and the first command must start with
                md5(random + password) in lowercase hex (section 5.1); otherwise "PJLINK ERRA".
  random        the 8-character random number (default "498e4a67", the spec's example).
  answers       command body -> response parameter, e.g. {"POWR": "1", "LAMP": "ERR3"}; a body
                it has no answer for gets ERR1 (undefined command, section 2.2).
  drop_after    close the connection after this many full answers, in the middle of the next
                one (the first half of its line, no CR).
  silent        accept, then never send anything (a hung projector).

Every command line it receives is appended to --log, one per line.
"""
import argparse
import hashlib
import json
import socket
import socketserver
import threading

parser = argparse.ArgumentParser()
parser.add_argument("--state", required=True)
parser.add_argument("--port-file", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--port", type=int, default=0)
args = parser.parse_args()
log_lock = threading.Lock()


def load_state():
    with open(args.state) as f:
        return json.load(f)


def log(line):
    with log_lock, open(args.log, "a") as f:
        f.write(line + "\n")


class Projector(socketserver.BaseRequestHandler):
    def handle(self):
        state = load_state()
        sock = self.request
        if state.get("silent"):
            sock.settimeout(30)
            try:
                sock.recv(1024)
            except OSError:
                pass
            return
        password = state.get("password")
        random = state.get("random", "498e4a67")
        answers = state.get("answers", {})
        drop_after = state.get("drop_after")
        if password is None:
            sock.sendall(b"PJLINK 0\r")
        else:
            sock.sendall(b"PJLINK 1 " + random.encode() + b"\r")
        expected = hashlib.md5((random + (password or "")).encode()).hexdigest()
        first = True
        answered = 0
        buffer = b""
        sock.settimeout(10)
        while True:
            try:
                data = sock.recv(1024)
            except OSError:
                return
            if not data:
                return
            buffer += data
            while b"\r" in buffer:
                raw, buffer = buffer.split(b"\r", 1)
                line = raw.decode("ascii", "replace")
                log(line)
                if password is not None and first:
                    if not line.startswith(expected):
                        sock.sendall(b"PJLINK ERRA\r")
                        return
                    line = line[len(expected):]
                first = False
                # "%1POWR ?" -> class "1", body "POWR"
                if len(line) < 7 or line[0] != "%" or line[6] != " ":
                    sock.sendall(b"%1" + line[2:6].encode() + b"=ERR1\r")
                    continue
                cls, body = line[1], line[2:6]
                parameter = answers.get(body, "ERR1")
                response = ("%" + cls + body + "=" + parameter + "\r").encode()
                if drop_after is not None and answered >= drop_after:
                    sock.sendall(response[: len(response) // 2])
                    return
                sock.sendall(response)
                answered += 1


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", args.port), Projector)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os

os.rename(args.port_file + ".tmp", args.port_file)
server.serve_forever()
