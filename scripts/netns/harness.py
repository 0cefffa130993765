"""Several hosts on one machine: network namespaces joined by veth pairs on one bridge.

    python -m scripts.netns.harness up       # build the hosts, start every process, load the scenario
    python -m scripts.netns.harness status   # the hosts and what runs in each
    python -m scripts.netns.harness down     # stop everything and remove the hosts (also after a crash)

Run from the checkout's top directory. Needs root (`ip netns add`) and Debian's iproute2,
redis-server, unbound and PostgreSQL 15 (`initdb`, `postgres`). The hosts, their addresses and
the namespaces are scripts/netns/topology.py's; this file starts and stops the processes on
them. tests/harness/test_faults.py drives it.

The hosts (topology.HOSTS): `db` (a private PostgreSQL cluster, run as `postgres` or a user it makes), `redis`
(no persistence), `web` (gunicorn, and beat), `dns1` and `dns2` (`manage.py dnsserver`, each the
root, a TLD server and half of the name servers' addresses, so every zone's four name servers
span both), `worker-a` and `worker-b` (Celery, one checker region each, both on the default
queue), `resolver` (unbound, its root hints our two root listeners) and `client` (where
lookups come from; it also holds the health-check target and the SMTP sink).
"""

import argparse
import contextlib
import fcntl
import json
import os
import pwd
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from scripts.netns import topology
from scripts.netns.topology import (
    CLIENT_ADDRESS,
    DB_ADDRESS,
    HOSTS,
    NAME_SERVER_ADDRESSES,
    NETWORK_V4,
    REDIS_ADDRESS,
    REGIONS,
    RESOLVER_ADDRESS,
    ROOT_SERVER_ADDRESSES,
    SMTP_PORT,
    TARGET_ADDRESS,
    TLD_SERVER_ADDRESSES,
    WEB_ADDRESS,
    WEB_PORT,
    HarnessError,
    cannot_build_reason,
    namespace,
    our_namespaces,
    tear_down_everything,
)

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
CELERY = ROOT / ".venv" / "bin" / "celery"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PROBE = Path(__file__).resolve().parent / "probe.py"
OPERATIONS = Path(__file__).resolve().parent / "operations.py"
SMTP_SINK = Path(__file__).resolve().parent / "smtp_sink.py"
POSTGRES_BIN = Path("/usr/local/bin")

LOCK_PATH = Path(tempfile.gettempdir()) / "nameplate-netns.lock"
CURRENT_PATH = Path(tempfile.gettempdir()) / "nameplate-netns.current"

# Unacknowledged tasks of a dead worker are delivered again after this long (acks_late on Redis).
VISIBILITY_TIMEOUT_SECONDS = 10
DNS_POLL_SECONDS = 2.0
# Threads per worker: few, so that a killed worker holds a handful of sends in flight.
WORKER_CONCURRENCY = 4


def database_user() -> str:
    """The user PostgreSQL runs as (initdb refuses root): Debian's `postgres`, or one made for it."""
    for name in ("postgres", "nameplate-harness"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    result = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "nameplate-harness"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise HarnessError(f"no user to run PostgreSQL as, and useradd failed: {result.stderr.strip()}")
    return "nameplate-harness"


@dataclass
class Service:
    """One process of the harness: where it runs, its command, and the environment it adds."""

    name: str
    host: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    stop_signal: int = signal.SIGTERM


class Harness:
    """The hosts, their processes and their logs under `state_dir`.

    `up()` builds and starts everything; `down()` stops and removes everything. In between the
    tests stop, kill and start services by name (`stop`, `kill`, `start`) and look from the
    client (`probe`) or act as the operator (`operate`).
    """

    def __init__(self, state_dir: Path | str | None = None) -> None:
        self.state_dir = Path(state_dir or tempfile.mkdtemp(prefix="nameplate-netns-"))
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # PostgreSQL runs as `postgres` and must reach its data directory.
        self.state_dir.chmod(0o755)
        self.logs = self.state_dir / "logs"
        self.logs.mkdir(exist_ok=True)
        self.mail_path = self.state_dir / "mail.jsonl"
        self.secret_key = secrets.token_urlsafe(50)
        self.processes: dict[str, subprocess.Popen] = {}
        self.services = {service.name: service for service in self._services()}
        self.scenario: dict = {}
        self._operator: subprocess.Popen | None = None
        self._lock = None

    # ---- the network -------------------------------------------------------------------

    def cut_off(self, host: str, address: str) -> None:
        topology.cut_off(host, address)

    def reconnect(self, host: str, address: str) -> None:
        topology.reconnect(host, address)

    # ---- the processes -----------------------------------------------------------------

    def base_env(self) -> dict[str, str]:
        keep = {key: os.environ[key] for key in ("PATH", "LANG", "LC_ALL", "TZ") if key in os.environ}
        return {
            **keep,
            "PATH": keep.get("PATH", "/usr/local/bin:/usr/bin:/bin") + ":/usr/sbin:/sbin",
            "HOME": str(self.state_dir),
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "nameplate.settings",
            "DEBUG": "1",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": f"{WEB_ADDRESS},127.0.0.1,localhost",
            "DATABASE_URL": f"postgres://postgres@{DB_ADDRESS}:5432/nameplate",
            # Persistent connections, as in production: a restarted database must not break them.
            "DATABASE_CONN_MAX_AGE": "60",
            "REDIS_URL": f"redis://{REDIS_ADDRESS}:6379/0",
            "DNS_NAMESERVER_ADDRESSES": ",".join(NAME_SERVER_ADDRESSES),
            "DNS_NAMESERVER_PORT": "53",
            "REGISTRY_ROOT_SERVER_ADDRESSES": ",".join(ROOT_SERVER_ADDRESSES),
            "REGISTRY_TLD_SERVER_ADDRESSES": ",".join(TLD_SERVER_ADDRESSES),
            "HEALTHCHECK_REGIONS": ",".join(REGIONS.values()),
            "HEALTHCHECK_ALLOW_LOCAL_TARGETS": "1",
            "HEALTHCHECK_REDISPATCH_AFTER_SECONDS": "5",
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_SECONDS),
            "EMAIL_HOST": CLIENT_ADDRESS,
            "EMAIL_PORT": str(SMTP_PORT),
            "SITE_URL": f"http://{WEB_ADDRESS}:{WEB_PORT}",
            "LOG_FORMAT": "plain",
        }

    def _services(self) -> list[Service]:
        pgdata = self.state_dir / "pgdata"
        services = [
            Service(
                "postgres",
                "db",
                [str(POSTGRES_BIN / "postgres"), "-D", str(pgdata)],
                user=database_user(),
                stop_signal=signal.SIGINT,
            ),
            Service("redis", "redis", ["redis-server", str(self.state_dir / "redis.conf")]),
            Service(
                "web",
                "web",
                [str(GUNICORN), "-c", "nameplate/gunicorn.conf.py"],
                env={
                    "WEB_BIND": f"{WEB_ADDRESS}:{WEB_PORT}",
                    # Eight requests at once, so the fault tests' clients never queue behind
                    # one waiting on a stopped database.
                    "WEB_WORKER_CLASS": "gthread",
                    "WEB_WORKERS": "2",
                    "WEB_THREADS": "4",
                },
            ),
            Service("beat", "web", [str(CELERY), "-A", "nameplate", "beat", "--loglevel", "INFO"]),
        ]
        for host in ("dns1", "dns2"):
            root, tld, *name_servers = HOSTS[host]
            listen = [f"root={root}:53", f"tld={tld}:53", *(f"auth={address}:53" for address in name_servers)]
            services.append(
                Service(
                    host,
                    host,
                    [str(PYTHON), "manage.py", "dnsserver", "--poll-seconds", str(DNS_POLL_SECONDS)]
                    + [argument for item in listen for argument in ("--listen", item)],
                    env={"DNS_SERVER_LISTEN": f"root={root}:53,tld={tld}:53"},
                )
            )
        for host, region in REGIONS.items():
            services.append(
                Service(
                    host,
                    host,
                    [
                        *(str(CELERY), "-A", "nameplate", "worker", "-P", "threads"),
                        *("-c", str(WORKER_CONCURRENCY)),
                        *("-Q", f"{region},celery", "-n", f"{host}@harness"),
                        *("--without-gossip", "--without-mingle", "--loglevel", "INFO"),
                    ],
                )
            )
        services += [
            Service("resolver", "resolver", ["unbound", "-d", "-c", str(self.state_dir / "unbound.conf")]),
            Service(
                "smtp-sink",
                "client",
                [
                    *(str(PYTHON), str(SMTP_SINK), "--listen", f"{CLIENT_ADDRESS}:{SMTP_PORT}"),
                    *("--out", str(self.mail_path), "--rcpt-delay", "0.5"),
                ],
            ),
            Service(
                "target",
                "client",
                [
                    *(str(PYTHON), "-m", "http.server", "80", "--bind", TARGET_ADDRESS),
                    *("--directory", str(self.state_dir / "target")),
                ],
            ),
        ]
        return services

    def start(self, name: str) -> None:
        service = self.services[name]
        if name in self.processes and self.processes[name].poll() is None:
            raise HarnessError(f"{name} is already running (pid {self.processes[name].pid})")
        argv = ["ip", "netns", "exec", namespace(service.host)]
        if service.user:
            argv += ["runuser", "-u", service.user, "--"]
        argv += service.argv
        log = (self.logs / f"{name}.log").open("ab")
        log.write(f"---- start {time.strftime('%H:%M:%S')}: {' '.join(argv)}\n".encode())
        log.flush()
        self.processes[name] = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**self.base_env(), **service.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def stop(self, name: str, signum: int | None = None, timeout_seconds: float = 20.0) -> None:
        """Stop a service (its whole process group) with its stop signal, SIGKILL after the timeout."""
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signum or self.services[name].stop_signal)
            process.wait(timeout_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        except ProcessLookupError:
            process.wait(10)

    def kill(self, name: str) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost host would: no chance to clean up."""
        self.stop(name, signal.SIGKILL)

    def is_running(self, name: str) -> bool:
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    def has_failed_since_start(self, name: str) -> bool:
        """Whether the service logged Celery's "Unrecoverable error" since it was last started."""
        return "Unrecoverable error" in self.log(name).rsplit("---- start", 1)[-1]

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # ---- looking and acting ------------------------------------------------------------

    def run_in(
        self, host: str, argv: list[str], timeout_seconds: float = 120.0
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["ip", "netns", "exec", namespace(host), *argv],
            cwd=ROOT,
            env=self.base_env(),
            capture_output=True,
            text=True,
            timeout=timeout_seconds,
        )

    def _json(self, host: str, argv: list[str], timeout_seconds: float) -> dict:
        result = self.run_in(host, argv, timeout_seconds)
        lines = result.stdout.strip().splitlines()
        if result.returncode != 0 or not lines:
            raise HarnessError(
                f"{' '.join(argv[1:3])} on {host} failed:\n{result.stdout}\n{result.stderr[-3000:]}"
            )
        return json.loads(lines[-1])

    def probe(self, *args: str, host: str = "client", timeout_seconds: float = 120.0) -> dict:
        """scripts/netns/probe.py run on `host` (the client by default): what that host sees."""
        return self._json(host, [str(PYTHON), str(PROBE), *args], timeout_seconds)

    def operate(self, *args: str, timeout_seconds: float = 120.0) -> dict:
        """A command of scripts/netns/operations.py on the web host: our services, as the console calls them.

        One operator process serves every command (Django starts once); it is started on first use.
        """
        if self._operator is None or self._operator.poll() is not None:
            with (self.logs / "operator.log").open("ab") as log:
                self._operator = subprocess.Popen(
                    ["ip", "netns", "exec", namespace("web"), str(PYTHON), str(OPERATIONS), "serve"],
                    cwd=ROOT,
                    env={**self.base_env(), "DATABASE_CONN_MAX_AGE": "0"},
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                    start_new_session=True,
                )
        self._operator.stdin.write(" ".join(args) + "\n")
        self._operator.stdin.flush()
        ready, _, _ = select.select([self._operator.stdout], [], [], timeout_seconds)
        line = self._operator.stdout.readline() if ready else ""
        if not line:
            self._operator.kill()
            raise HarnessError(f"operations {' '.join(args)}: no answer\n{self.log('operator')[-3000:]}")
        answer = json.loads(line)
        if "error" in answer:
            raise HarnessError(f"operations {' '.join(args)}: {answer['traceback']}")
        return answer

    def mails(self) -> list[dict]:
        if not self.mail_path.exists():
            return []
        return [json.loads(line) for line in self.mail_path.read_text().splitlines() if line.strip()]

    # ---- readiness ---------------------------------------------------------------------

    def _expect(self, result: dict, key: str, name: str) -> None:
        if not result.get(key):
            raise HarnessError(f"{name} did not come up: {result}\n{self.log(name)[-3000:]}")

    def wait_for_postgres(self, wait_seconds: float = 60) -> None:
        url = f"postgres://postgres@{DB_ADDRESS}:5432/postgres"
        self._expect(
            self.probe("pg", url, "--create", "nameplate", "--wait", str(wait_seconds)), "ready", "postgres"
        )

    def wait_for_redis(self, wait_seconds: float = 30) -> None:
        self._expect(self.probe("tcp", REDIS_ADDRESS, "6379", "--wait", str(wait_seconds)), "open", "redis")

    def wait_for_web(self, wait_seconds: float = 60) -> None:
        result = self.probe(
            "http", f"http://{WEB_ADDRESS}:{WEB_PORT}/", "--expect-status", "200", "--wait", str(wait_seconds)
        )
        self._expect({"up": result["status"] == 200}, "up", "web")

    def wait_for_dns(self, host: str, wait_seconds: float = 60) -> None:
        """Until `host` answers every zone of the scenario on its first name-server address."""
        for zone in self.scenario.get("zones", []):
            for address in set(zone["name_server_addresses"]) & set(HOSTS[host]):
                result = self.probe(
                    "dns",
                    address,
                    f"www.{zone['name']}",
                    "A",
                    "--expect",
                    zone["www"],
                    "--wait",
                    str(wait_seconds),
                )
                self._expect({"up": not result.get("timed_out")}, "up", host)

    def wait_for_resolver(self, wait_seconds: float = 30) -> None:
        zone = self.scenario["zones"][0]
        result = self.probe(
            "dns",
            RESOLVER_ADDRESS,
            f"www.{zone['name']}",
            "A",
            "--expect",
            zone["www"],
            "--wait",
            str(wait_seconds),
        )
        self._expect({"up": not result.get("timed_out")}, "up", "resolver")

    def wait_for_worker(self, name: str, wait_seconds: float = 60) -> None:
        deadline = time.monotonic() + wait_seconds
        while "ready." not in self.log(name).rsplit("---- start", 1)[-1]:
            if time.monotonic() > deadline or not self.is_running(name):
                raise HarnessError(f"{name} did not come up:\n{self.log(name)[-3000:]}")
            time.sleep(0.2)

    # ---- the whole life ------------------------------------------------------------------

    def write_configs(self) -> None:
        (self.state_dir / "redis.conf").write_text(
            f"bind {REDIS_ADDRESS}\nport 6379\nprotected-mode no\ndaemonize no\n"
            f'save ""\nappendonly no\ndir {self.state_dir}\nlogfile ""\n'
        )
        (self.state_dir / "target").mkdir(exist_ok=True)
        (self.state_dir / "target" / "index.html").write_text("harness target: healthy\n")
        hints = "".join(
            f".  3600000 IN NS {host}.\n{host}. 3600000 IN A {address}\n"
            for host, address in zip(
                ("a.root-servers.nameplate.test", "b.root-servers.nameplate.test"),
                ROOT_SERVER_ADDRESSES,
                strict=True,
            )
        )
        (self.state_dir / "root.hints").write_text(hints)
        (self.state_dir / "unbound.conf").write_text(
            f"""server:
    interface: {RESOLVER_ADDRESS}
    port: 53
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "{self.state_dir}"
    pidfile: "{self.state_dir}/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 1
    root-hints: "{self.state_dir}/root.hints"
    module-config: "iterator"
    access-control: {NETWORK_V4} allow
    qname-minimisation: no
    harden-referral-path: no
    prefetch: no
    # Our records carry 1-second TTLs, so the resolver asks our name servers again every second
    # (delegations it keeps as long as their TTL says, as resolvers on the Internet do).
    cache-max-negative-ttl: 1
remote-control:
    control-enable: no
"""
        )

    def init_postgres(self) -> None:
        pgdata = self.state_dir / "pgdata"
        pgdata.mkdir()
        shutil.chown(pgdata, database_user(), database_user())
        result = subprocess.run(
            [
                *("runuser", "-u", database_user(), "--", str(POSTGRES_BIN / "initdb"), "-D", str(pgdata)),
                *("-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"),
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise HarnessError(f"initdb failed: {result.stderr}")
        with (pgdata / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '{DB_ADDRESS}'\nunix_socket_directories = '{pgdata}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n"
            )
        with (pgdata / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {NETWORK_V4} trust\n")

    def up(self) -> "Harness":
        """Build the hosts and start every process; raises HarnessError (after tearing down) on failure."""
        self._lock = LOCK_PATH.open("w")
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        tear_down_everything()
        CURRENT_PATH.write_text(str(self.state_dir))
        try:
            topology.build_network()
            self.write_configs()
            self.init_postgres()
            self.start("postgres")
            self.start("redis")
            self.start("smtp-sink")
            self.start("target")
            self.wait_for_postgres()
            self.wait_for_redis()
            migrate = self.run_in(
                "web", [str(PYTHON), "manage.py", "migrate", "--noinput"], timeout_seconds=600
            )
            if migrate.returncode != 0:
                raise HarnessError(f"migrate failed:\n{migrate.stdout[-2000:]}\n{migrate.stderr[-3000:]}")
            for name in ("dns1", "dns2", "worker-a", "worker-b", "web", "beat", "resolver"):
                self.start(name)
            # While they start: the DNS servers pick the zones up from the bus or their poll.
            self.scenario = self.operate("setup")
            (self.state_dir / "scenario.json").write_text(json.dumps(self.scenario, indent=2))
            self.wait_for_dns("dns1")
            self.wait_for_dns("dns2")
            self.wait_for_web()
            self.wait_for_worker("worker-a")
            self.wait_for_worker("worker-b")
            self.wait_for_resolver()
        except BaseException:
            self.down()
            raise
        return self

    def down(self) -> None:
        if self._operator is not None and self._operator.poll() is None:
            self._operator.stdin.close()
            self._operator.wait(10)
        running = [name for name in self.processes if self.is_running(name)]
        for name in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.processes[name].pid, self.services[name].stop_signal)
        deadline = time.monotonic() + 10
        for name in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.processes[name].wait(max(0.1, deadline - time.monotonic()))
        # Whatever is left (a slow graceful stop, a child that outlived its parent) is killed here.
        tear_down_everything()
        # The private cluster is the bulk of the state directory; the logs stay for a post-mortem.
        shutil.rmtree(self.state_dir / "pgdata", ignore_errors=True)
        if CURRENT_PATH.exists() and CURRENT_PATH.read_text() == str(self.state_dir):
            CURRENT_PATH.unlink()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def status(self) -> dict:
        return status()


def status() -> dict:
    """Our namespaces, with each one's addresses and the commands running inside."""
    hosts = {}
    for name in our_namespaces():
        pids = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True).stdout.split()
        commands = []
        for pid in pids:
            try:
                commands.append(
                    Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()[:120]
                )
            except OSError:
                continue
        addresses = subprocess.run(
            ["ip", "-n", name, "-brief", "addr", "show", "eth0"], capture_output=True, text=True
        ).stdout.split()[2:]
        hosts[name] = {"addresses": addresses, "processes": commands}
    current = CURRENT_PATH.read_text() if CURRENT_PATH.exists() else None
    return {"state_dir": current, "hosts": hosts}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--state-dir", help="where logs, data and configs go (default: a new temp dir)")
    args = parser.parse_args(argv)
    if args.command in ("up", "down") and (reason := cannot_build_reason()):
        print(reason, file=sys.stderr)
        return 2
    if args.command == "up":
        harness = Harness(args.state_dir).up()
        # The processes run on in their own sessions; `down` finds them by namespace.
        print(json.dumps({"state_dir": str(harness.state_dir), "scenario": harness.scenario}, indent=2))
        return 0
    if args.command == "down":
        removed = tear_down_everything()
        if CURRENT_PATH.exists():
            print(f"logs kept in {CURRENT_PATH.read_text()}")
            CURRENT_PATH.unlink()
        print(f"removed {len(removed)} namespaces: {' '.join(removed) or 'none'}")
        return 0
    print(json.dumps(status(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
