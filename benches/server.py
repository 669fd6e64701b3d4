"""The loopback server of `make bench`, in a process of its own so its CPU is not the clients'.

Starts `LocalGateway` (Rust, axum on one thread), prints `URL KEY` on one line, then serves
until its standard input closes. The line `clear` forgets the recorded requests (the gateway
keeps every request it receives) and is answered with `ok N`, N the requests received since the
last `clear`, so the driver can check that every client really sent what it claims.

Nothing is scripted: the gateway's default answer echoes the user message, so a streamed request
whose message has N words is answered with about N word-sized chunks, however many clients ask.
"""

from __future__ import annotations

import sys

from vercel_ai_gateway.testing import LocalGateway


def main() -> None:
    with LocalGateway() as gateway:
        print(gateway.url, gateway.api_key, flush=True)
        for line in sys.stdin:
            if line.strip() == "clear":
                received = len(gateway.requests)
                gateway.clear_requests()
                print(f"ok {received}", flush=True)


if __name__ == "__main__":
    main()
