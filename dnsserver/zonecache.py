"""Compiled zone versions kept on local disk, so that a restart loads a large zone in seconds.

Compiling a million-record zone from its rows takes tens of seconds; reading back the
version the server last served takes about one. `ZoneCache` writes a served version (one
file per role and zone, `<role>-<key>.zone`) and reads it back at the next start; the
follower then brings it to the source's serial with the changes since (the same diff a
running server applies), or compiles the zone afresh when those cannot be told.

A file is used only when all of these hold, so a restart never answers from stale data:
- its MAC verifies: keyed by SECRET_KEY and a fingerprint of the engine's code, dnspython's
  and Python's versions, and the server's own settings that shape a version (transfer and
  NOTIFY lists). A file from other code or settings, a truncated or altered file, or one
  written by anyone without the key, is ignored;
- it holds the zone asked for (its key) and the same zone (its creation time and id, so a
  recreated database's zone 1 is not an older database's zone 1);
- its serial is not newer than the source's (a database restored from a backup).
The MAC is what makes unpickling safe: the payload is only read once it verifies.

Only zones of at least `min_records` records are written: small zones compile in
milliseconds. The files are written (by a forked child, so that answering goes on) once the
server is answering (zones compiled since their file) and when it stops (zones updated
since); a `read_only` cache (the second and later worker processes of one server) only reads.
"""

import functools
import gc
import hashlib
import hmac
import logging
import os
import pickle
import signal
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import dns.version

import zones.engine
from kernel.memory import collector_paused
from zones.engine import ZoneSnapshot

logger = logging.getLogger(__name__)

MAGIC = b"NPZONE1\n"
MAC_BYTES = 32
SUFFIX = ".zone"


@functools.cache
def code_fingerprint() -> bytes:
    """A digest of what decides a compiled version's shape: the engine's and the row reader's code."""
    digest = hashlib.sha256(f"{sys.version}|{dns.version.version}".encode())
    engine = Path(zones.engine.__file__).parent
    for path in sorted([*engine.glob("*.py"), engine.parent / "snapshot.py"]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.digest()


class ZoneCache:
    """One directory of compiled zone versions; see the module docstring."""

    def __init__(
        self,
        directory: Path | str,
        *,
        secret: str,
        settings_fingerprint: str = "",
        min_records: int = 10_000,
        read_only: bool = False,
    ) -> None:
        self.directory = Path(directory)
        self.min_records = min_records
        self.read_only = read_only
        self._key = hashlib.blake2b(
            code_fingerprint() + settings_fingerprint.encode() + secret.encode(), digest_size=32
        ).digest()

    def path(self, role: str, key: str) -> Path:
        return self.directory / f"{role}-{key}{SUFFIX}"

    def _mac(self, payload: bytes | memoryview) -> bytes:
        return hashlib.blake2b(payload, key=self._key, digest_size=MAC_BYTES).digest()

    def read(self, role: str, key: str) -> ZoneSnapshot | None:
        """The version written for this zone, or None (no file, or one that must not be used)."""
        path = self.path(role, key)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            logger.warning("zone cache: cannot read %s: %s", path, error)
            return None
        header = len(MAGIC) + MAC_BYTES
        mac, payload = blob[len(MAGIC) : header], memoryview(blob)[header:]
        if blob[: len(MAGIC)] != MAGIC or not hmac.compare_digest(mac, self._mac(payload)):
            logger.info("zone cache: %s is from other code or settings, or damaged; ignoring it", path)
            return None
        # Unpickling makes millions of objects; the cyclic collector would walk them many times.
        with collector_paused():
            snapshot = pickle.loads(payload)
        if not isinstance(snapshot, ZoneSnapshot) or snapshot.key != key:
            logger.warning("zone cache: %s does not hold zone %s; ignoring it", path, key)
            return None
        return snapshot

    def write(self, role: str, snapshot: ZoneSnapshot) -> bool:
        """Write `snapshot` as this zone's file (atomically); False when it is too small to keep.

        A forked child pickles and writes it while this process only waits (in the caller's
        thread): pickling a large zone holds the interpreter for seconds, and the server's
        loop keeps answering meanwhile. Raises OSError when the child fails.
        """
        if self.read_only or snapshot.record_count < self.min_records:
            return False
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".writing-")
        try:
            child = os.fork()
            if child == 0:
                _write_and_exit(handle, temporary, self.path(role, snapshot.key), snapshot, self._mac)
            os.close(handle)
            _, status = os.waitpid(child, 0)
            code = os.waitstatus_to_exitcode(status)
            if code != 0:
                raise OSError(f"the zone-cache writer for {self.path(role, snapshot.key)} exited with {code}")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return True

    def forget_except(self, role: str, keys: set[str]) -> None:
        """Remove the role's files of zones other than `keys` (zones no longer served)."""
        if self.read_only or not self.directory.is_dir():
            return
        for path in self.directory.glob(f"{role}-*{SUFFIX}"):
            if path.name[len(role) + 1 : -len(SUFFIX)] not in keys:
                path.unlink(missing_ok=True)


def _write_and_exit(handle: int, temporary: str, path: Path, snapshot: ZoneSnapshot, mac) -> NoReturn:
    """In the forked child: write the file and leave at once, running none of the parent's exit code."""
    code = 1
    try:
        # The parent's loop wakes on its signals through this fd; the child's must not reach it.
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        gc.disable()
        payload = pickle.dumps(snapshot, protocol=5)
        with os.fdopen(handle, "wb") as file:
            file.write(MAGIC)
            file.write(mac(payload))
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
        code = 0
    except BaseException as error:
        os.write(2, f"zone cache: cannot write {path}: {error!r}\n".encode(errors="replace"))
    finally:
        os._exit(code)
