#!/usr/bin/env python3
"""A client that sends its request one byte per second, then the rest at once, and prints the
status line of the answer (or what went wrong).

usage: slow_client.py HOST PORT PATH KEY BODY SLOW_BYTES
"""
import socket
import sys
import time


def main():
    host, port, path, key, body, slow = sys.argv[1:7]
    data = body.encode()
    req = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {key}\r\n"
           f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
           "Connection: close\r\n\r\n").encode() + data
    s = socket.create_connection((host, int(port)), timeout=120)
    n = int(slow)
    try:
        for i in range(n):
            s.sendall(req[i:i + 1])
            time.sleep(1)
        s.sendall(req[n:])
        answer = b""
        while b"\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    except OSError as e:
        print("error " + repr(e))
        return
    print(answer.split(b"\r\n", 1)[0].decode(errors="replace") or "closed")


if __name__ == "__main__":
    main()
