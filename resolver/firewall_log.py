"""The DNS Firewall's part of the query log: unbound's rpz-log lines, paired with the logged queries.

unbound writes one `rpz: applied [firewall-<id>] …` line to the instance's log file when a
rule group acts on a query, before it answers, so by the time the answer's dnstap message
is read its line is in the file. A line is paired with the query of the same client
address and port, name and type; one whose query has not come yet waits for the next read.
"""

from collections import defaultdict, deque
from pathlib import Path

from dnsfirewall import services as firewall_services
from dnsfirewall.rpz import RpzLogLine, parse_rpz_log_line

# Lines whose query never came (a query that was not logged, say) are dropped beyond this many.
MAX_WAITING_LINES = 10_000

QueryKey = tuple[str, int, str, str]


def query_key(client: str, port: int, name: str, qtype: str) -> QueryKey:
    return (client, port, name.lower(), qtype.upper())


class FirewallLog:
    """Reads the rpz-log lines an instance's unbound appends to `path`, from where it stopped."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # Lines written before the query log started belong to no logged query.
        self.offset = path.stat().st_size if path.exists() else 0
        self.waiting: dict[QueryKey, deque[RpzLogLine]] = defaultdict(deque)
        self.waiting_count = 0

    def read_new_lines(self) -> None:
        try:
            with self.path.open("rb") as log:
                if log.seek(0, 2) < self.offset:
                    self.offset = 0  # the file was replaced
                log.seek(self.offset)
                data = log.read()
        except FileNotFoundError:
            return
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        if self.waiting_count > MAX_WAITING_LINES:
            self.waiting.clear()
            self.waiting_count = 0
        for text in complete.decode("utf-8", "replace").splitlines():
            line = parse_rpz_log_line(text)
            if line is not None:
                self.waiting[query_key(line.client, line.client_port, line.qname, line.qtype)].append(line)
                self.waiting_count += 1

    def take(self, client: str, port: int, name: str, qtype: str) -> RpzLogLine | None:
        """The waiting line of this query, or None when the firewall did not act on it."""
        key = query_key(client, port, name, qtype)
        lines = self.waiting.get(key)
        if not lines:
            return None
        line = lines.popleft()
        if not lines:
            del self.waiting[key]
        self.waiting_count -= 1
        return line

    def label(self, rows: list[dict]) -> None:
        """Add the firewall's verdict to each logged query (LoggedQuery fields) it acted on."""
        self.read_new_lines()
        matched = []
        for row in rows:
            line = self.take(row["client_address"], row["client_port"], row["query_name"], row["query_type"])
            if line is not None:
                matched.append((row, line))
        verdicts = firewall_services.firewall_verdicts(line for _, line in matched)
        for (row, _), verdict in zip(matched, verdicts, strict=True):
            if verdict is not None:
                row["firewall_action"] = verdict.action
                row["firewall_rule_group_id"] = verdict.rule_group_id
                row["firewall_domain_list_id"] = verdict.domain_list_id
