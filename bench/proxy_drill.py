"""Two app hosts behind the shipped nginx config (deploy/nginx/reviewapp.conf), for real.

Usage (needs Debian's nginx-light, PostgreSQL and Redis on this machine):
    .venv/bin/python bench/proxy_drill.py

The config is used as shipped, with only what a test machine must change: the upstream
addresses, plain HTTP on a local port instead of TLS, and file paths. Residents connect from
distinct loopback addresses (127.0.0.2, 127.0.0.3, ...), so the app sees each one through the
proxy's X-Forwarded-For. Checks, each printed with its numbers:
  - every resident behind the proxy has a comment limit of their own; one resident is limited;
  - a forged X-Forwarded-For sent by a client buys nothing (the proxy replaces it);
  - the proxy's request id reaches the app, which answers with it (X-Request-ID);
  - neither the proxy's access log nor the app hosts' logs hold a resident's address;
  - with one host killed, pages are still served by the other;
  - with both killed, the proxy serves the app's static 503 page.
Exits 1 if any check failed.
"""

import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.http_client import form_fields
from tests.scratch_db import scratch_postgresql
from tests.servers import ROOT, AppHost, free_port, start_hosts

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = os.environ.get("REVIEWAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
SITE = "surveillance.example.gov"  # the name in the shipped config
LIMIT = 3  # comments per resident per hour
RESIDENTS = 20
NGINX = "/usr/sbin/nginx"


def local_config(shipped: str, port: int, upstreams: list[int], logs: Path) -> str:
    """Return the shipped server config adapted to this machine (see the module docstring)."""
    text = re.sub(r"server app1:8000", f"server 127.0.0.1:{upstreams[0]}", shipped)
    text = re.sub(r"server app2:8000", f"server 127.0.0.1:{upstreams[1]}", text)
    text = text.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};")
    text = re.sub(r"\n\s*listen \[::\]:443 ssl;", "", text)
    text = re.sub(r"\n\s*http2 on;", "", text)
    text = re.sub(r"\n\s*ssl_[a-z_]+ [^;]+;", "", text)
    # The port-80 redirect server is not needed here.
    text = re.sub(r"server \{\n    listen 80;.*?\n\}\n", "", text, flags=re.DOTALL)
    text = text.replace("/var/log/nginx/", f"{logs}/")
    return text.replace("/srv/reviewapp/", f"{ROOT}/")


def ask(port: int, method: str, path: str, source: str, fields: dict | None = None,
        headers: dict | None = None, cookie: str = "") -> tuple[int, dict, str]:
    """Send one request through the proxy from the loopback address `source`."""
    from urllib.parse import urlencode

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                            source_address=(source, 0))
    body = urlencode(fields, doseq=True) if fields else None
    sent = {"Host": SITE, **(headers or {})}
    if body:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        sent["Cookie"] = cookie
    connection.request(method, path, body=body, headers=sent)
    answer = connection.getresponse()
    result = (answer.status, dict(answer.getheaders()), answer.read().decode("utf-8", "replace"))
    connection.close()
    return result


def post_comment(port: int, proposal: int, source: str, number: int,
                 headers: dict | None = None) -> int:
    """Load the comment form from `source` and post a comment; return the status."""
    status, got, page = ask(port, "GET", f"/proposals/{proposal}/comment", source)
    assert status == 200, f"comment form: {status}"
    cookie = got.get("Set-Cookie", "").split(";")[0]
    fields = form_fields(page)
    fields.update({"submitter_type": "anonymous", "position": "oppose",
                   "body": f"Resident {source} comment {number}: no drones over homes."})
    status, _got, _page = ask(port, "POST", f"/proposals/{proposal}/comment", source,
                              fields, headers, cookie)
    return status


def main() -> int:
    if not Path(NGINX).exists():
        print("nginx is not installed: apt-get install nginx-light")
        return 1
    failures: list[str] = []

    def check(ok: bool, what: str) -> None:
        print(f"  {'ok    ' if ok else 'FAILED'}  {what}")
        if not ok:
            failures.append(what)

    key = os.urandom(32).hex()
    with (tempfile.TemporaryDirectory(prefix="proxy-drill-") as folder,
          scratch_postgresql("proxy", os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG) as url):
        workdir = Path(folder)
        settings = {"REVIEWAPP_DATABASE_URL": url, "REVIEWAPP_SECRET_KEY": key,
                    "REVIEWAPP_TRUSTED_PROXIES": "1", "REVIEWAPP_TRUSTED_HOSTS": SITE,
                    "REVIEWAPP_RATELIMIT_STORAGE_URI": REDIS_URL,
                    "REVIEWAPP_COMMENT_RATE_LIMIT": f"{LIMIT} per hour"}
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        a = AppHost("host-a", workdir / "a" / "instance", dict(settings), site_name=SITE)
        b = AppHost("host-b", workdir / "b" / "instance", dict(settings), site_name=SITE)
        a.flask("setup-db")
        a.flask("seed-demo")
        start_hosts(a, b)
        port = free_port()
        logs = workdir / "nginx"
        logs.mkdir()
        shipped = (ROOT / "deploy" / "nginx" / "reviewapp.conf").read_text()
        (logs / "reviewapp.conf").write_text(local_config(shipped, port, [a.port, b.port],
                                                          logs))
        (logs / "nginx.conf").write_text(
            f"pid {logs}/nginx.pid;\nerror_log {logs}/main-error.log;\n"
            "events {}\nhttp {\n"
            f"  access_log off;\n  include {logs}/reviewapp.conf;\n}}\n")
        test = subprocess.run([NGINX, "-t", "-c", str(logs / "nginx.conf"), "-p", str(logs)],
                              capture_output=True, text=True, check=False)
        check(test.returncode == 0, "nginx -t accepts the shipped config"
              + ("" if test.returncode == 0 else f": {test.stderr.strip()}"))
        proxy = subprocess.Popen([NGINX, "-c", str(logs / "nginx.conf"), "-p", str(logs),
                                  "-g", "daemon off;"])
        try:
            time.sleep(1)
            status, _h, page = ask(port, "GET", "/", "127.0.0.2")
            check(status == 200, f"the list of proposals through the proxy: {status}")
            drones = int(re.search(r'href="/proposals/(\d+)">Drone', page).group(1))

            accepted = sum(post_comment(port, drones, f"127.0.0.{10 + n}", 1) == 302
                           for n in range(RESIDENTS))
            check(accepted == RESIDENTS,
                  f"{accepted} of {RESIDENTS} residents behind the proxy could comment")
            one = [post_comment(port, drones, "127.0.0.3", n) for n in range(LIMIT + 1)]
            check(one == [302] * LIMIT + [429], f"one resident, {LIMIT + 1} comments: {one}")
            forged = post_comment(port, drones, "127.0.0.3", 99,
                                  {"X-Forwarded-For": "203.0.113.99"})
            check(forged == 429, f"a forged X-Forwarded-For from that resident: {forged}")

            status, headers, _page = ask(port, "GET", "/about", "127.0.0.4")
            request_id = headers.get("X-Request-ID", "")
            proxy_lines = [json.loads(line) for line in
                           (logs / "reviewapp.log").read_text().splitlines()]
            # The app answers with the X-Request-ID the proxy gave it, so its log lines and
            # the proxy's name the same request.
            check(any(line["request_id"] == request_id for line in proxy_lines),
                  f"the app's X-Request-ID {request_id[:12]}... is the proxy's $request_id")
            app_logs = a.log_text() + b.log_text()
            proxy_text = (logs / "reviewapp.log").read_text()
            leaked = sorted({m for m in re.findall(r"127\.0\.0\.(\d+)", proxy_text + app_logs)
                             if m != "1"})
            check(not leaked, f"{len(proxy_lines)} proxy log lines and both hosts' logs hold "
                              f"no resident address (found: {leaked})")

            a.kill()
            served = [ask(port, "GET", "/", "127.0.0.5")[0] for _ in range(6)]
            check(served == [200] * 6, f"host A killed, six pages: {served}")
            b.kill()
            status, _h, page = ask(port, "GET", "/", "127.0.0.5")
            outage = (ROOT / "reviewapp" / "static" / "errors" / "503.html").read_text()
            title = re.search(r"<title>(.*?)</title>", outage).group(1)
            check(status in (502, 503, 504) and title in page,
                  f"both hosts killed: {status} with the static page ({title!r})")
        finally:
            proxy.terminate()
            proxy.wait(timeout=10)
            a.stop()
            b.stop()
    print("proxy drill:", "every check passed" if not failures else f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
