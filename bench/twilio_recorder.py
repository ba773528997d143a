"""LocalTwilio in its own process, writing one JSON line per accepted message:
when it arrived (wall clock) and a short hash of the recipient. No bodies and
no phone numbers leave this process."""

import argparse
import hashlib
import json
import sys
import time

from devtools.local_twilio import LocalTwilio, SentMessage


def recipient_key(number: str) -> str:
    return hashlib.sha1(number.encode()).hexdigest()[:12]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--auth-token", required=True)
    args = parser.parse_args()

    def record(message: SentMessage) -> None:
        sys.stdout.write(json.dumps({"t": message.received_at_wall, "to": recipient_key(message.to)}) + "\n")
        sys.stdout.flush()

    server = LocalTwilio(port=args.port, auth_token=args.auth_token, on_message=record).start()
    sys.stdout.write(json.dumps({"ready": server.base_url}) + "\n")
    sys.stdout.flush()
    try:
        # Commands from the driver, one a line: "delay 3.5" holds each answer
        # that long after the message is recorded (a slow or lost response).
        for line in sys.stdin:
            name, _, value = line.strip().partition(" ")
            if name == "delay":
                server.delay_seconds = float(value)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
