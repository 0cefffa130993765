"""An SMTP sink for the harness: every message it accepts is one JSON line in --out.

    smtp_sink.py --listen 198.51.100.50:2525 --out mail.jsonl [--rcpt-delay 0.2]

--rcpt-delay holds each recipient that long before accepting it, so that a sender killed
while sending is caught before its message is complete (a message counts once DATA ends).
"""

import argparse
import asyncio
import email
import email.policy
import json
import signal
import sys

from aiosmtpd.controller import Controller


class RecordingHandler:
    def __init__(self, out: str, rcpt_delay_seconds: float) -> None:
        self.out = out
        self.rcpt_delay_seconds = rcpt_delay_seconds

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        await asyncio.sleep(self.rcpt_delay_seconds)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        line = {
            "to": envelope.rcpt_tos,
            "subject": str(message.get("Subject", "")),
            "message_id": str(message.get("Message-ID", "")),
        }
        with open(self.out, "a") as out:
            out.write(json.dumps(line) + "\n")
        return "250 OK"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", required=True, metavar="HOST:PORT")
    parser.add_argument("--out", required=True)
    parser.add_argument("--rcpt-delay", type=float, default=0.0)
    args = parser.parse_args(argv)
    host, _, port = args.listen.rpartition(":")
    controller = Controller(RecordingHandler(args.out, args.rcpt_delay), hostname=host, port=int(port))
    controller.start()
    print(f"smtp sink on {args.listen}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
