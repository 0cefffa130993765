"""What a host of the harness sees: run inside a namespace (`ip netns exec <ns> python probe.py ...`).

Every subcommand prints one JSON object on its last line. Every wait is bounded by --wait.

    probe.py tcp 198.51.100.11 6379 --wait 30
    probe.py pg postgres://postgres@198.51.100.10:5432/postgres --create nameplate --wait 60
    probe.py dns 198.51.100.40[,198.51.100.41] www.example.com A [--expect 192.0.2.1] [--wait 20]
    probe.py http http://198.51.100.12:8000/ [--expect-status 200] [--wait 30]
    probe.py lookups 198.51.100.40 www.a.com=192.0.2.1 www.b.com=192.0.2.2 --seconds 12
"""

import argparse
import json
import socket
import sys
import time
import urllib.error
import urllib.request

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

# A stub resolver's wait for one answer (glibc's resolv.conf default): what a user's lookup allows.
STUB_TIMEOUT_SECONDS = 5.0


def until(deadline: float, attempt):
    """Call `attempt` until it returns something other than None or the deadline passes."""
    while True:
        result = attempt()
        if result is not None or time.monotonic() >= deadline:
            return result
        time.sleep(0.1)


def tcp(args) -> dict:
    def attempt():
        try:
            with socket.create_connection((args.address, args.port), timeout=1):
                return {"open": True}
        except OSError:
            return None

    return until(time.monotonic() + args.wait, attempt) or {"open": False}


def pg(args) -> dict:
    import psycopg

    def attempt():
        try:
            with psycopg.connect(args.url, autocommit=True, connect_timeout=2) as connection:
                if args.create:
                    exists = connection.execute(
                        "SELECT 1 FROM pg_database WHERE datname = %s", [args.create]
                    ).fetchone()
                    if not exists:
                        connection.execute(f'CREATE DATABASE "{args.create}"')
                return {"ready": True}
        except psycopg.OperationalError:
            return None

    return until(time.monotonic() + args.wait, attempt) or {"ready": False}


def ask(server: str, name: str, rdtype: str, timeout: float) -> dict:
    """One question over UDP: the rcode and the addresses (or other rdata) of the answer."""
    try:
        response = dns.query.udp(dns.message.make_query(name, rdtype), server, timeout=timeout)
    except (OSError, dns.exception.Timeout) as error:
        return {"rcode": None, "answer": [], "error": type(error).__name__}
    wanted = dns.rdatatype.from_text(rdtype)
    answer = sorted(rdata.to_text() for rrset in response.answer if rrset.rdtype == wanted for rdata in rrset)
    return {"rcode": dns.rcode.to_text(response.rcode()), "answer": answer}


def query(args) -> dict:
    """Ask each of the comma-separated servers; with --expect, until each answers that.

    With several servers the answer is per server, with the seconds each took to answer so:
    counted from --since (a Unix time, e.g. when the caller made a change) if given.
    """
    started = time.monotonic()
    origin = args.since if args.since is not None else time.time()
    servers = args.server.split(",")
    results: dict[str, dict] = {}

    def attempt():
        for server in servers:
            if server in results:
                continue
            result = ask(server, args.name, args.type, args.timeout)
            if args.expect is None or result["answer"] == sorted(args.expect.split(",")):
                results[server] = {**result, "seconds": round(time.time() - origin, 3)}
        return results if len(results) == len(servers) else None

    if until(started + args.wait, attempt) is None:
        for server in servers:
            if server not in results:
                answer = ask(server, args.name, args.type, args.timeout)
                results[server] = {**answer, "expected": args.expect, "timed_out": True}
    if len(servers) == 1:
        return results[servers[0]]
    return {"servers": results, "timed_out": any(result.get("timed_out") for result in results.values())}


def http(args) -> dict:
    started = time.monotonic()

    def fetch() -> dict:
        request = urllib.request.Request(args.url, headers={"Accept": "text/html"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                status, headers, body = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, dict(error.headers), error.read()
        except OSError as error:
            return {"status": None, "error": str(error)}
        return {"status": status, "headers": headers, "body": body.decode(errors="replace")}

    attempts = []

    def attempt():
        result = fetch()
        attempts.append(result["status"])
        return result if args.expect_status is None or result["status"] == args.expect_status else None

    result = until(started + args.wait, attempt) or {**fetch(), "timed_out": True}
    result["seconds"] = round(time.monotonic() - started, 3)
    # The status of every request made, in order: how many a user would have seen fail.
    result["statuses"] = attempts
    return result


def lookups(args) -> dict:
    """Ask for every name in turn until --seconds pass; count failures and the longest gap.

    A gap is the time from a name's last right answer to its next one (or to the end). After the
    first round a line "ready" is printed, so that whoever breaks something knows lookups run.
    """
    expected = dict(item.split("=", 1) for item in args.names)
    started = time.monotonic()
    last_success = dict.fromkeys(expected, started)
    longest_gap = 0.0
    total = failed = rounds = 0
    failures: list[dict] = []
    while time.monotonic() - started < args.seconds and rounds < args.max_rounds:
        for name, address in expected.items():
            result = ask(args.resolver, name, "A", timeout=args.timeout)
            now = time.monotonic()
            total += 1
            if result["answer"] == [address]:
                longest_gap = max(longest_gap, now - last_success[name])
                last_success[name] = now
            else:
                failed += 1
                if len(failures) < 20:
                    failures.append({"name": name, "at": round(now - started, 3), **result})
        rounds += 1
        if rounds == 1:
            print("ready", flush=True)
        time.sleep(args.interval)
    end = time.monotonic()
    longest_gap = max([longest_gap, *(end - last for last in last_success.values())])
    return {
        "lookups": total,
        "failed": failed,
        "rounds": rounds,
        "longest_gap_seconds": round(longest_gap, 3),
        # Whoever broke something after "ready" learns which names still resolved well after it.
        "answered_in_the_second_half": sorted(
            name for name, last in last_success.items() if last > started + (end - started) / 2
        ),
        "failures": failures,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("tcp")
    command.add_argument("address")
    command.add_argument("port", type=int)
    command.add_argument("--wait", type=float, default=0)
    command.set_defaults(run=tcp)
    command = commands.add_parser("pg")
    command.add_argument("url")
    command.add_argument("--create")
    command.add_argument("--wait", type=float, default=0)
    command.set_defaults(run=pg)
    command = commands.add_parser("dns")
    command.add_argument("server", help="a server's address, or several separated by commas")
    command.add_argument("name")
    command.add_argument("type")
    command.add_argument("--expect", help="comma-separated answer to wait for")
    command.add_argument("--timeout", type=float, default=STUB_TIMEOUT_SECONDS)
    command.add_argument("--wait", type=float, default=0)
    command.add_argument("--since", type=float, help="a Unix time the seconds are counted from")
    command.set_defaults(run=query)
    command = commands.add_parser("http")
    command.add_argument("url")
    command.add_argument("--expect-status", type=int)
    command.add_argument("--wait", type=float, default=0)
    command.set_defaults(run=http)
    command = commands.add_parser("lookups")
    command.add_argument("resolver")
    command.add_argument("names", nargs="+", metavar="NAME=ADDRESS")
    command.add_argument("--seconds", type=float, default=10)
    command.add_argument("--max-rounds", type=int, default=2000)
    command.add_argument("--interval", type=float, default=0.05)
    command.add_argument("--timeout", type=float, default=STUB_TIMEOUT_SECONDS)
    command.set_defaults(run=lookups)
    args = parser.parse_args(argv)
    print(json.dumps(args.run(args)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
