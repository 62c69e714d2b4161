#!/usr/bin/env python3
"""Drives `switchboard init` on a real pseudo-terminal, as a user types into it.

usage: init_tty.py SCRIPT -- switchboard init ARGS...

SCRIPT is a JSON list of steps: ["expect", "text"] waits (10 s deadline) until the output
holds text; ["send", "text"] types it; ["interrupt"] sends Ctrl-C through the terminal.
At the end prints a JSON object: everything the terminal showed, the exit status, and whether
the terminal's echo was on after the program ended (it must be: a key prompt turns it off).
"""
import json
import os
import pty
import select
import sys
import termios
import time


def main():
    steps = json.loads(sys.argv[1])
    argv = sys.argv[sys.argv.index("--") + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    out = b""

    def read_for(seconds):
        nonlocal out
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    return False
                if not chunk:
                    return False
                out += chunk
        return True

    for step in steps:
        if step[0] == "expect":
            deadline = time.monotonic() + 10
            while step[1].encode() not in out:
                if time.monotonic() > deadline or not read_for(0.1):
                    if step[1].encode() not in out:
                        print(json.dumps({"error": "never saw " + step[1], "output": out.decode(errors="replace")}))
                        sys.exit(1)
        elif step[0] == "send":
            os.write(fd, step[1].encode())
        elif step[0] == "interrupt":
            os.write(fd, termios.tcgetattr(fd)[6][termios.VINTR])
    # The terminal's settings once the program is done with it (the slave's, seen via the master).
    deadline = time.monotonic() + 10
    status = None
    while time.monotonic() < deadline:
        read_for(0.05)
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
    echo = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
    read_for(0.1)
    code = None
    if status is not None:
        code = os.waitstatus_to_exitcode(status)
    print(json.dumps({"output": out.decode(errors="replace"), "exit": code, "echo": echo}))


main()
