"""A two-host network on this machine for the network tests: a client and a server namespace joined by a veth pair.

Only addresses inside these namespaces are used (10.200.5.1 server, 10.200.5.2 client). The link is rate-shaped
with ``tc tbf``; UDP loss is made with nftables (``numgen random mod 100 < N drop``) and counted, so a test knows
how many packets were really dropped. Everything is removed in :meth:`Lab.close`, also after a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER_IP = "10.200.5.1"
CLIENT_IP = "10.200.5.2"


def unavailable() -> str | None:
    """Why the lab cannot be built here (None when it can)."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    for tool in ("ip", "tc", "nft", "turnserver"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (.ci/setup.sh installs it)"
    return None


def skip_module_without_lab() -> None:
    """At the top of a lab test module: skip the whole module, saying why, where the lab cannot be built."""
    import pytest

    why = unavailable()
    if why:
        print(f"network lab tests skipped: {why}")
        pytest.skip(why, allow_module_level=True)


LIBRESPEED = ROOT.parent / "shared" / "librespeed"
"""LibreSpeed's real ``backend/`` folder (PHP), beside the repository; see its README."""


def librespeed_unavailable() -> str | None:
    """Why the real LibreSpeed server cannot be served here (None when it can)."""
    if not (LIBRESPEED / "backend" / "garbage.php").is_file():
        return f"LibreSpeed's backend is not at {LIBRESPEED / 'backend'} (see the README's Tests section)"
    if shutil.which("php") is None:
        return "php is not installed (Debian's php-cli; .ci/setup.sh test installs it)"
    return None


def sh(*argv: str, ns: str | None = None, check: bool = True, input: str | None = None) -> str:
    full = ["ip", "netns", "exec", ns, *argv] if ns else list(argv)
    done = subprocess.run(full, capture_output=True, text=True, input=input, timeout=30)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(full)} failed: {done.stderr.strip()}")
    return done.stdout


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A test CA and a certificate for www.speedtest.net, speed.cloudflare.com and the lab's server address signed
    by it: (ca.pem, leaf.pem, leaf.key)."""
    ca_key, ca, key, csr, leaf = (folder / n for n in ("ca.key", "ca.pem", "leaf.key", "leaf.csr", "leaf.pem"))
    ext = folder / "leaf.ext"
    ext.write_text("subjectAltName=DNS:www.speedtest.net,DNS:c.speedtest.net,DNS:speed.cloudflare.com,"
                   f"IP:{SERVER_IP}\nbasicConstraints=CA:FALSE\n")
    for argv in (
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2",
         "-subj", "/CN=Interview Ready test CA"],
        ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=www.speedtest.net"],
        ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", leaf, "-days", "2",
         "-extfile", ext],
    ):
        subprocess.run(["openssl", *map(str, argv)], check=True, capture_output=True, timeout=60)
    return ca, leaf, key


class Lab:
    def __init__(self) -> None:
        tag = str(os.getpid())  # stale labs are recognised by their process id
        self.client = f"ir5c{tag}"
        self.server = f"ir5s{tag}"
        self.offline = f"ir5o{tag}"
        self.veth_c, self.veth_s = f"v{tag}c", f"v{tag}s"
        self.processes: list[subprocess.Popen[str]] = []
        self.files: list[Path] = []

    def __enter__(self) -> Lab:
        try:
            return self.open()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- building ---------------------------------------------------------------------------------------------

    def open(self) -> Lab:
        self.remove_stale()
        for ns in (self.client, self.server, self.offline):
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "set", "lo", "up", ns=ns)
            resolv = Path("/etc/netns") / ns / "resolv.conf"  # names are looked up inside the lab only
            resolv.parent.mkdir(parents=True, exist_ok=True)
            resolv.write_text(f"nameserver {SERVER_IP}\noptions timeout:1 attempts:1\n")
            self.files.append(resolv.parent)
        sh("ip", "link", "add", self.veth_c, "netns", self.client, "type", "veth", "peer", "name", self.veth_s,
           "netns", self.server)
        sh("ip", "addr", "add", f"{CLIENT_IP}/24", "dev", self.veth_c, ns=self.client)
        sh("ip", "addr", "add", f"{SERVER_IP}/24", "dev", self.veth_s, ns=self.server)
        sh("ip", "link", "set", self.veth_c, "up", ns=self.client)
        sh("ip", "link", "set", self.veth_s, "up", ns=self.server)
        sh("ip", "route", "add", "default", "via", SERVER_IP, ns=self.client)  # the lab's "internet" is the server
        for ns, dev in ((self.client, self.veth_c), (self.server, self.veth_s)):
            sh("ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off", ns=ns, check=False)
        return self

    def shape(self, mbit: float | None, up: float | None = None) -> None:
        """Limit the download to ``mbit`` Mbit/s and the upload to ``up`` (default: the same; None: unlimited)."""
        for ns, dev, rate in ((self.client, self.veth_c, up or mbit), (self.server, self.veth_s, mbit)):
            sh("tc", "qdisc", "del", "dev", dev, "root", ns=ns, check=False)
            if rate:
                burst = max(16 * 1024, int(rate * 1e6 / 8 / 250))
                sh("tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate", f"{rate}mbit", "burst", str(burst),
                   "latency", "60ms", ns=ns)

    def udp_filter(self, drop_percent: int | None) -> None:
        """On the server: drop ``drop_percent`` % of STUN requests at random (100: all), counting them; None: none."""
        sh("nft", "delete", "table", "inet", "irlab", ns=self.server, check=False)
        if drop_percent is None:
            return
        rule = "drop" if drop_percent >= 100 else f"numgen random mod 100 < {drop_percent} counter drop"
        script = ("table inet irlab {\n chain input {\n  type filter hook input priority 0;\n"
                  "  udp dport 3478 counter\n"
                  f"  udp dport 3478 {rule}\n }}\n}}\n")
        sh("nft", "-f", "-", ns=self.server, input=script)

    def udp_counts(self) -> tuple[int, int]:
        """(STUN requests that arrived, of them dropped) since :meth:`udp_filter`."""
        data = json.loads(sh("nft", "-j", "list", "table", "inet", "irlab", ns=self.server))
        counters = [item["rule"] for item in data["nftables"] if "rule" in item]
        packets = []
        for rule in counters:
            for expr in rule["expr"]:
                if "counter" in expr:
                    packets.append(expr["counter"]["packets"])
        return packets[0], packets[1]

    # -- processes --------------------------------------------------------------------------------------------

    def spawn(self, ns: str, *argv: str, ready: str | None = None, wait_port: int | None = None,
              env: dict[str, str] | None = None) -> None:
        """Start ``argv`` in ``ns``; with ``ready``, wait for its first line to say so (else its output, a line
        per request for some servers, is dropped rather than left to fill a pipe)."""
        process = subprocess.Popen(["ip", "netns", "exec", ns, *argv],
                                   stdout=subprocess.PIPE if ready is not None else subprocess.DEVNULL,
                                   stderr=subprocess.STDOUT, text=True, start_new_session=True,
                                   env={**os.environ, **(env or {})})
        self.processes.append(process)
        if ready is not None and process.stdout is not None:
            line = process.stdout.readline()
            if ready not in line:
                raise RuntimeError(f"{argv[0]} did not start: {line}")
        if wait_port is not None:
            self.wait_tcp(ns, wait_port)

    def wait_tcp(self, ns: str, port: int, timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if f":{port} " in sh("ss", "-Hltn", ns=ns):
                return
            time.sleep(0.1)
        raise RuntimeError(f"nothing listens on port {port} in {ns}")

    def http_server(self, port: int, *extra: str) -> str:
        self.spawn(self.server, sys.executable, str(ROOT / "tests" / "netservers.py"), "--port", str(port),
                   "--public", f"{SERVER_IP}:{port}", *extra, ready="ready")
        return f"http://{SERVER_IP}:{port}/"

    def librespeed_server(self, port: int, folder: Path) -> str:
        """LibreSpeed's real PHP backend, served as its documentation says (a copy of it, in ``folder``)."""
        shutil.copytree(LIBRESPEED / "backend", folder / "backend")
        for path in (folder / "backend").iterdir():
            path.chmod(0o644)
        self.spawn(self.server, "php", "-d", "output_buffering=0", "-S", f"{SERVER_IP}:{port}", "-t", str(folder),
                   wait_port=port, env={"PHP_CLI_SERVER_WORKERS": "8"})
        return f"http://{SERVER_IP}:{port}/"

    def nq_server(self, port: int, folder: Path, cert: Path, key: Path, config: str | None = "good") -> str:
        """A networkQuality server as Apple's ``network-quality/server`` sets up nginx: HTTP/2 with TLS, the
        configuration at ``/.well-known/nq`` (``config``: ``good``; ``old`` with Apple's older ``*_https_*`` names
        only; ``malformed``, JSON without an upload URL; ``no_upload``, an upload URL the server does not have;
        None: not published, 404), a one-byte file, a large file, and an upload URL that reads the whole body and
        drops it (Apple's hands it to a separate "slurp" process; here nginx buffers it and hands it to itself).
        Its access log (``access.log`` in ``folder``) names each request's protocol. Returns the server's root URL."""
        base = f"https://{SERVER_IP}:{port}"
        files = folder / "root" / "files"
        files.mkdir(parents=True)
        (files / "small").write_bytes(b"x")
        with (files / "large").open("wb") as large:  # sparse: what no test reads takes no disk
            large.truncate(8 * 1024**3)
        urls = {"small": f"{base}/files/small", "large": f"{base}/files/large", "upload": f"{base}/slurp"}
        names = {"good": {f"{k}_download_url" if k != "upload" else "upload_url": v for k, v in urls.items()},
                 "old": {"small_https_download_url": urls["small"], "large_https_download_url": urls["large"],
                         "https_upload_url": urls["upload"]},
                 "malformed": {"small_download_url": urls["small"], "large_download_url": urls["large"]}}
        names["no_upload"] = {**names["good"], "upload_url": f"{base}/nothing"}
        (folder / "root" / "config").write_text(json.dumps({"version": 1, "urls": names.get(config or "", {})}))
        published = "" if config is None else f"""
        location = /.well-known/nq {{ alias {folder}/root/config; default_type application/json; }}"""
        (folder / "nginx.conf").write_text(f"""
user root;
worker_processes 2;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 1024; }}
http {{
    default_type application/octet-stream;
    log_format nq '"$request" $status $body_bytes_sent $server_protocol';
    access_log {folder}/access.log nq;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 65;
    output_buffers 2 128k;
    server {{
        listen {SERVER_IP}:{port} ssl http2;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        client_max_body_size 0;
        location /files/ {{ root {folder}/root; }}
        location = /slurp {{
            proxy_pass http://127.0.0.1:{port}/drop;
            proxy_request_buffering on;
            client_body_buffer_size 1m;
        }}{published}
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 0;
        location = /drop {{ return 200; }}
    }}
}}
""")
        self.spawn(self.server, "nginx", "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log"),
                   "-p", str(folder), wait_port=port)
        return f"{base}/"

    def stun_server(self, port: int = 3478) -> str:
        self.spawn(self.server, "turnserver", "-n", f"--listening-ip={SERVER_IP}", f"--listening-port={port}",
                   "--stun-only", "--no-tls", "--no-dtls", "--no-cli", "--simple-log", "--log-file=stdout",
                   f"--pidfile=/tmp/{self.server}-turn.pid", wait_port=port)
        return f"{SERVER_IP}:{port}"

    def run(self, ns: str, *argv: str, env: dict[str, str] | None = None,
            timeout: float = 90) -> subprocess.CompletedProcess[str]:
        full_env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        full_env.update({"NO_COLOR": "1", **(env or {})})
        return subprocess.run(["ip", "netns", "exec", ns, *argv], capture_output=True, text=True, env=full_env,
                              timeout=timeout, cwd=ROOT)

    def check(self, *args: str, ns: str | None = None, env: dict[str, str] | None = None,
              timeout: float = 90) -> tuple[dict[str, dict], float]:
        """Run ``interview-ready check --camera none --mic none ARGS --json`` in the client namespace."""
        started = time.monotonic()
        done = self.run(ns or self.client, sys.executable, "-m", "app", "check", "--camera", "none", "--mic", "none",
                        *args, "--json", env=env, timeout=timeout)
        took = time.monotonic() - started
        try:
            report = json.loads(done.stdout)
        except json.JSONDecodeError:
            raise AssertionError(f"no JSON report (exit {done.returncode}): {done.stdout}\n{done.stderr}") from None
        self.report = report
        return {c["id"]: c for c in report["checks"]}, took

    # -- cleaning up ------------------------------------------------------------------------------------------

    @staticmethod
    def remove_stale() -> None:
        """Remove labs left behind by test runs that were killed (their process no longer exists)."""
        for line in sh("ip", "netns", "list", check=False).splitlines():
            name = line.split()[0] if line.split() else ""
            match = re.fullmatch(r"ir5[cso](\d+)", name)
            if match and not Path(f"/proc/{match.group(1)}").exists():
                sh("ip", "netns", "del", name, check=False)
                shutil.rmtree(Path("/etc/netns") / name, ignore_errors=True)

    def close(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(3)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(3)
            if process.stdout is not None:
                process.stdout.close()
        for ns in (self.client, self.server, self.offline):
            sh("ip", "netns", "del", ns, check=False)
        for path in self.files:
            shutil.rmtree(path, ignore_errors=True)
        Path(f"/tmp/{self.server}-turn.pid").unlink(missing_ok=True)
