"""Helpers the test suites of every layer share."""

import os
import shutil
import subprocess

import pytest

SBIN = "/usr/sbin:/usr/local/sbin:/usr/bin:/bin"


def debian_program(program: str, package: str | None = None) -> str:
    """The path of `program`, installing Debian's `package` (default: the program's name) when missing.

    The suite runs as root on Debian, as CI does; elsewhere a missing program fails the test with
    the one command that installs it.
    """
    package = package or program
    found = shutil.which(program) or shutil.which(program, path=SBIN)
    if found:
        return found
    result = None
    if os.geteuid() == 0 and shutil.which("apt-get"):
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package]
        result = subprocess.run(install, env=environment, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            # Package lists may be missing or stale on a fresh machine.
            subprocess.run(["apt-get", "update", "-qq"], env=environment, capture_output=True, timeout=600)
            result = subprocess.run(install, env=environment, capture_output=True, text=True, timeout=900)
    found = shutil.which(program) or shutil.which(program, path=SBIN)
    if found is None:
        detail = f"\n{result.stdout}\n{result.stderr}" if result is not None else ""
        pytest.fail(f"{program} is missing: install it with apt-get install -y {package}{detail}")
    return found
