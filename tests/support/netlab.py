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

ROOT = Path(__file__).resolve().parents[2]
SERVER_IP = "10.200.5.1"
CLIENT_IP = "10.200.5.2"
LAB_NET = "10.200.5.0/24"
CLIENT_CONGESTION = "cubic"
"""The client's TCP congestion control in :class:`Lab`: a candidate's laptop's (the default of Windows, macOS and
Linux desktops), not this kernel's (BBR, whose sender retransmitted 10 to 27 % of what it sent over the lab's 1
Mbit/s upload, so the upload's rate swung with its losses; CUBIC's retransmitted nothing)."""


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
        # the lab's "internet" is the server; the client's TCP is a candidate's laptop's
        sh("ip", "route", "replace", LAB_NET, "dev", self.veth_c, "src", CLIENT_IP, "congctl",
           CLIENT_CONGESTION, ns=self.client)
        sh("ip", "route", "add", "default", "via", SERVER_IP, "congctl", CLIENT_CONGESTION, ns=self.client)
        for ns, dev in ((self.client, self.veth_c), (self.server, self.veth_s)):
            sh("ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off", ns=ns, check=False)
        return self

    def shape(self, mbit: float | None, up: float | None = None, queue_ms: float = 60,
              up_queue_ms: float | None = None) -> None:
        """Limit the download to ``mbit`` Mbit/s and the upload to ``up`` (default: the same; None: unlimited), with
        queues that hold ``queue_ms`` (download) and ``up_queue_ms`` (upload; default: the same) of data at that
        rate: a deep queue is a router's bufferbloat."""
        (up_ns, up_dev), (down_ns, down_dev) = self.egress()
        for ns, dev, rate, held in ((up_ns, up_dev, up or mbit, up_queue_ms or queue_ms),
                                    (down_ns, down_dev, mbit, queue_ms)):
            sh("tc", "qdisc", "del", "dev", dev, "root", ns=ns, check=False)
            if rate:
                burst = max(16 * 1024, int(rate * 1e6 / 8 / 250))
                sh("tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate", f"{rate}mbit", "burst", str(burst),
                   "latency", f"{held:g}ms", ns=ns)

    def egress(self) -> tuple[tuple[str, str], tuple[str, str]]:
        """Where the upload and the download are shaped: (namespace, device) each."""
        return (self.client, self.veth_c), (self.server, self.veth_s)

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

    def spawn(self, ns: str | None, *argv: str, ready: str | None = None, wait_port: int | None = None,
              env: dict[str, str] | None = None) -> None:
        """Start ``argv`` in ``ns`` (None: on the host); with ``ready``, wait for its first line to say so (else its
        output, a line per request for some servers, is dropped rather than left to fill a pipe)."""
        process = subprocess.Popen([*(["ip", "netns", "exec", ns] if ns else []), *argv],
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
        self.spawn(self.server, sys.executable, str(ROOT / "tests" / "support" / "netservers.py"), "--port", str(port),
                   "--public", f"{SERVER_IP}:{port}", *extra, ready="ready")
        return f"http://{SERVER_IP}:{port}/"

    def librespeed_server(self, port: int, folder: Path, router: str | None = None) -> str:
        """LibreSpeed's real PHP backend, served as its documentation says (a copy of it, in ``folder``); with
        ``router``, PHP code that PHP's server runs first for every request (``router.php`` in ``folder``), as a
        web server's access rules would: it may answer the request itself."""
        shutil.copytree(LIBRESPEED / "backend", folder / "backend")
        for path in (folder / "backend").iterdir():
            path.chmod(0o644)
        routed = []
        if router is not None:
            (folder / "router.php").write_text(router)
            routed = [str(folder / "router.php")]
        self.spawn(self.server, "php", "-d", "output_buffering=0", "-S", f"{SERVER_IP}:{port}", "-t", str(folder),
                   *routed, wait_port=port, env={"PHP_CLI_SERVER_WORKERS": "8"})
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
            match = re.fullmatch(r"ir5[csor](\d+)", name)
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


DELAYWIRE = ROOT.parent / "shared" / "netlab" / "delaywire.py"
"""A cable with a true round trip between two namespaces (two TAP devices and a forwarder; see its README)."""


class DelayLab(Lab):
    """The lab with the delay cable: every frame crosses after half of ``rtt_ms`` (with ``jitter_ms`` either way,
    keeping their order), so TCP and UDP see the round trip end to end, as on a satellite or a rural mobile link.
    Server 10.200.5.1, client 10.200.5.2, as in :class:`Lab`.

    Shaped as its README says, on the cable's two ends, each direction is limited on its sender's own host, where
    the kernel keeps the queue short (TCP small queues): a paced, lossless line. With ``router``, a router namespace
    stands between the server and the cable, as a home router stands between the internet and the line, and both
    directions are shaped there: its queue fills as a real one does (server 10.200.5.1 on its loopback, routed;
    router 10.200.4.254 towards the server and 10.200.5.254 on the cable)."""

    def __init__(self, rtt_ms: float, jitter_ms: float = 0.0, router: bool = False) -> None:
        super().__init__()
        self.rtt_ms, self.jitter_ms = rtt_ms, jitter_ms
        self.router = f"ir5r{os.getpid()}" if router else None
        self.veth_c, self.veth_s = "dwb", "dwa"

    def egress(self) -> tuple[tuple[str, str], tuple[str, str]]:
        if self.router is None:
            return super().egress()
        return (self.router, f"v{os.getpid()}r"), (self.router, self.veth_s)

    def open(self) -> DelayLab:
        self.remove_stale()
        far = self.router or self.server  # the namespace at the cable's far end
        for ns in (self.client, self.server, *([self.router] if self.router else [])):
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "set", "lo", "up", ns=ns)
            resolv = Path("/etc/netns") / ns / "resolv.conf"
            resolv.parent.mkdir(parents=True, exist_ok=True)
            resolv.write_text(f"nameserver {SERVER_IP}\noptions timeout:1 attempts:1\n")
            self.files.append(resolv.parent)
        self.spawn(None, sys.executable, str(DELAYWIRE), far, self.client, f"{self.rtt_ms:g}", f"{self.jitter_ms:g}",
                   ready="ready")
        links = [(far, self.veth_s), (self.client, self.veth_c)]
        if self.router is None:
            sh("ip", "addr", "add", f"{SERVER_IP}/24", "dev", self.veth_s, ns=self.server)
            sh("ip", "addr", "add", f"{CLIENT_IP}/24", "dev", self.veth_c, ns=self.client)
        else:
            to_router, to_server = self.egress()[0][1], f"v{os.getpid()}s"
            sh("ip", "link", "add", to_server, "netns", self.server, "type", "veth", "peer", "name", to_router,
               "netns", self.router)
            links += [(self.server, to_server), (self.router, to_router)]
            sh("ip", "addr", "add", f"{SERVER_IP}/32", "dev", "lo", ns=self.server)
            sh("ip", "addr", "add", "10.200.4.1/24", "dev", to_server, ns=self.server)
            sh("ip", "addr", "add", "10.200.4.254/24", "dev", to_router, ns=self.router)
            sh("ip", "addr", "add", "10.200.5.254/24", "dev", self.veth_s, ns=self.router)
            sh("ip", "addr", "add", f"{CLIENT_IP}/32", "dev", self.veth_c, ns=self.client)
        for ns, dev in links:
            sh("ip", "link", "set", dev, "up", ns=ns)
            sh("ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off", ns=ns, check=False)
        if self.router is None:
            sh("ip", "route", "add", "default", "via", SERVER_IP, ns=self.client)
        else:
            sh("sysctl", "-qw", "net.ipv4.ip_forward=1", ns=self.router)
            sh("ip", "route", "add", f"{SERVER_IP}/32", "via", "10.200.4.1", ns=self.router)
            sh("ip", "route", "add", "default", "via", "10.200.4.254", ns=self.server)
            sh("ip", "route", "add", "10.200.5.254", "dev", self.veth_c, ns=self.client)
            sh("ip", "route", "add", "default", "via", "10.200.5.254", ns=self.client)
        return self

    def server_congestion(self, algorithm: str) -> None:
        """The server's TCP congestion control: ``bbr`` (this kernel's default) keeps a router's queue short, a
        loss-based one (``reno``, like CUBIC, most servers' default, which this kernel does not offer in a
        namespace) fills it, as a film streamed from such a server does at home."""
        sh("ip", "route", "replace", "default", "via", "10.200.4.254", "congctl", algorithm, ns=self.server)

    def close(self) -> None:
        super().close()
        if self.router is not None:
            sh("ip", "netns", "del", self.router, check=False)
