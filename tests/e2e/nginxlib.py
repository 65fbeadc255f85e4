"""nginxlib.py — a private nginx (Debian's) in front of several mo-hub
processes, round-robin, for the multi-hub tests.

Everything lives in one temporary directory (configuration, pid, logs and
nginx's temporary files); the server listens on a free 127.0.0.1 port and is
stopped by its PID at the end.  nginx cannot listen on port 0, so a free
port is picked by binding one and closing it, and the start is retried when
another process took it in between (bounded).
"""
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONF = """\
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    # the hub caps its own request sizes; nginx must not cap below them
    client_max_body_size 64m;
    upstream hubs {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://hubs;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            # the hub sees the real client address in X-Forwarded-For only
            # when told to trust the proxy; the tests do not need it
            proxy_request_buffering off;
            proxy_buffering off;
            proxy_read_timeout 120s;
            # a hub that is down is skipped, the request tried on the next
            proxy_next_upstream error timeout;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    def __init__(self, workdir, upstreams):
        self.dir = str(workdir)
        self.upstreams = list(upstreams)  # "127.0.0.1:PORT"
        self.proc = None
        self.url = None

    def start(self, timeout=15):
        os.makedirs(self.dir, exist_ok=True)
        user = "user root root;" if os.geteuid() == 0 else ""
        servers = "\n".join("        server %s;" % u for u in self.upstreams)
        for _attempt in range(5):
            port = free_port()
            conf = os.path.join(self.dir, "nginx.conf")
            with open(conf, "w") as f:
                f.write(CONF.format(dir=self.dir, servers=servers, port=port, user=user))
            self.proc = subprocess.Popen([NGINX, "-c", conf, "-p", self.dir],
                                         stdout=subprocess.DEVNULL,
                                         stderr=open(os.path.join(self.dir, "stderr.log"),
                                                     "ab"))
            deadline = time.time() + timeout
            while time.time() < deadline and self.proc.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        self.url = "http://127.0.0.1:%d" % port
                        return self
                except OSError:
                    time.sleep(0.05)
            self.stop()
        raise AssertionError("nginx did not start:\n" + self.log())

    def log(self):
        out = ""
        for name in ("stderr.log", "error.log"):
            p = os.path.join(self.dir, name)
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    out += f.read()[-3000:]
        return out

    def stop(self, timeout=10):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: finish requests
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        self.proc = None


def get(url, path, timeout=10):
    with urllib.request.urlopen(url + path, timeout=timeout) as r:
        return r.status, dict(r.headers), r.read()
