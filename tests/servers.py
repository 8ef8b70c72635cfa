"""Real app hosts for multi-process tests: gunicorn in its own process group, and flask commands.

Each host has its own instance folder and is configured only through REVIEWAPP_* variables,
as a city's hosts would be. Its output goes to a file that failure messages quote.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Test servers stay below the ephemeral range (32768+), where a bind may collide with an
# outgoing connection's port.
PORT_BASE = int(os.environ.get("REVIEWAPP_TEST_PORT_BASE", "5300"))
PORT_COUNT = int(os.environ.get("REVIEWAPP_TEST_PORT_COUNT", "200"))
START_TIMEOUT = 30.0  # seconds for gunicorn to answer its first request
STOP_TIMEOUT = 15.0  # seconds for a SIGTERM to end the group before SIGKILL


def app_target(instance: Path) -> str:
    """Return the app factory call that gives a host its own instance folder.

    gunicorn and `flask --app` both accept a factory call with literal arguments, so the
    app package needs no instance-path setting of its own.
    """
    return f"reviewapp:create_app(instance_path={str(instance)!r})"


def host_environment(settings: dict[str, str]) -> dict[str, str]:
    """Return this process's environment without app settings, plus `settings`."""
    inherited = {key: value for key, value in os.environ.items()
                 if not key.startswith("REVIEWAPP_")
                 and key not in ("SECRET_KEY", "DATABASE_URL", "PROFILE",
                                 "RATELIMIT_STORAGE_URI", "FLASK_APP")}
    return {**inherited, **settings}


def flask_command(instance: Path, settings: dict[str, str], *args: str,
                  check: bool = True) -> subprocess.CompletedProcess:
    """Run `flask --app <factory> ARGS` in a child process, as an operator would."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", app_target(instance), *args],
        cwd=ROOT, env=host_environment(settings), capture_output=True, text=True,
        timeout=300, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} exited {result.returncode}:\n"
                           f"{result.stdout}\n{result.stderr}")
    return result


def port_is_free(port: int) -> bool:
    """Say whether nothing listens on 127.0.0.1:`port` and it can be bound now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As gunicorn does: a port whose old connections linger in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(after: int | None = None) -> int:
    """Return the first free port from REVIEWAPP_TEST_PORT_BASE (or after `after`)."""
    start = PORT_BASE if after is None else after + 1
    for port in range(start, PORT_BASE + PORT_COUNT):
        if port < 32768 and port_is_free(port):
            return port
    raise RuntimeError(f"no free port in {PORT_BASE}-{PORT_BASE + PORT_COUNT - 1}; set "
                       "REVIEWAPP_TEST_PORT_BASE to a free range below 32768")


@dataclass
class AppHost:
    """One app host: a gunicorn master and its workers, started and stopped as a group."""

    name: str
    instance: Path
    settings: dict[str, str]
    workers: int = 2
    site_name: str | None = None  # the Host header the site answers to, if restricted
    port: int = 0
    target: str | None = None  # another WSGI app to serve (a bench baseline), not reviewapp
    process: subprocess.Popen | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.instance.mkdir(parents=True, exist_ok=True)
        self.log_path = self.instance.parent / f"{self.name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a flask command with this host's instance folder and settings."""
        return flask_command(self.instance, self.settings, *args, check=check)

    def start(self) -> "AppHost":
        """Start gunicorn on a free port and wait until it answers; retry a taken port."""
        port = None
        for _ in range(5):
            port = free_port(port)
            self.launch(port)
            if self.wait_until_answering():
                return self
        raise RuntimeError(f"{self.name}: no port could be bound\n{self.log_tail()}")

    def launch(self, port: int) -> None:
        """Start gunicorn on `port` without waiting for it (see start_hosts)."""
        self.port = port
        with self.log_path.open("ab") as log:
            log.write(f"--- {self.name}: starting on port {port}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(self.workers), "--worker-class", "sync",
                 "--timeout", "60", "--graceful-timeout", "10",
                 # The default control socket is one path per user: hosts would collide.
                 "--no-control-socket", self.target or app_target(self.instance)],
                cwd=ROOT, env=host_environment(self.settings), stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)  # its own process group

    def wait_until_answering(self) -> bool:
        """Poll until the host serves a page; False if its port was taken meanwhile."""
        try:
            return self._poll_until_answering()
        except BaseException:
            self.kill()  # a host that failed to start must not linger
            raise

    def _poll_until_answering(self) -> bool:
        deadline = time.monotonic() + START_TIMEOUT
        listening = f"Listening at: {self.url} "
        while time.monotonic() < deadline:
            log = self.log_text().rsplit("--- ", 1)[-1]  # this start's output only
            if "Connection in use" in log:
                self.kill()
                return False
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            # Only probe once our own gunicorn holds the port, never someone else's server.
            if listening in log and self._answers():
                return True
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer within {START_TIMEOUT:.0f} s:\n"
                           f"{self.log_tail()}")

    def _answers(self) -> bool:
        """Say whether GET /about answers; fail at once if it answers with an error."""
        request = urllib.request.Request(self.url + "/about")  # noqa: S310 (http, our host)
        if self.site_name:
            request.add_header("Host", self.site_name)
        try:
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                return response.status == 200
        except urllib.error.HTTPError as answer:
            raise RuntimeError(f"{self.name} answers GET /about with {answer.code}:\n"
                               f"{self.log_tail()}") from None
        except (urllib.error.URLError, OSError):
            return False  # not listening yet

    def stop(self) -> None:
        """Stop gracefully (SIGTERM to the group); SIGKILL if it does not end in time."""
        if not self.running:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)

    def kill(self) -> None:
        """Crash the host: SIGKILL to the master and every worker at once."""
        self._signal_group(signal.SIGKILL)
        self.process.wait(STOP_TIMEOUT)
        self._wait_for_group_gone()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _signal_group(self, signum: int) -> None:
        """Send `signum` to this host's process group (and only to it)."""
        with contextlib.suppress(ProcessLookupError):  # the group has already ended
            os.killpg(self.process.pid, signum)

    def _wait_for_group_gone(self) -> None:
        """Wait until every process of the group has died (workers die a moment after)."""
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            if not living_in_group(self.process.pid):
                return
            time.sleep(0.02)
        raise RuntimeError(f"{self.name}: processes survived SIGKILL")

    def log_text(self) -> str:
        """Return everything the host has written so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        """Return the last lines of the host's output, for failure messages."""
        return "\n".join(self.log_text().splitlines()[-lines:])


def start_hosts(*hosts: AppHost) -> None:
    """Start several hosts at once on distinct free ports and wait until all answer."""
    port = None
    for host in hosts:
        port = free_port(port)
        host.launch(port)
    for host in hosts:
        if not host.wait_until_answering():
            host.start()  # another process took its port meanwhile: try the next ones


def living_in_group(group: int) -> list[int]:
    """Return the ids of the processes of `group` that still run (not zombies).

    Orphaned workers killed with their master stay zombies until init reaps them, which a
    container's first process may never do; a zombie holds no socket or lock.
    """
    living = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        state, process_group = fields[0], int(fields[2])
        if process_group == group and state not in ("Z", "X"):
            living.append(int(stat.parent.name))
    return living
