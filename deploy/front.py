"""The public front: Debian's nginx (``apt-get install nginx-light``, done by
``make install``) in front of the gateway, configured from
``deploy/nginx.conf.template``. ``make run`` and the test stacks start it the
same way: nginx on the public port, the gateway behind it on loopback.

    front = Front(run_dir, listen="127.0.0.1:8000", upstream="127.0.0.1:8100")
    front.start(); ...; front.stop()

Each setting below can be changed from the environment (``FRONT_<NAME>``,
e.g. ``FRONT_BODY_TIMEOUT=3s`` in the tests, so a stalled client is cut off
quickly)."""
import os
import shutil
import signal
import subprocess
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

FRONT_DEFAULTS = {
    "header_timeout": "10s",        # the whole request header
    "body_timeout": "10s",          # between two reads of the body
    "send_timeout": "10s",          # between two writes of the answer
    "keepalive_timeout": "15s",     # an idle kept-alive connection
    "upstream_timeout": "30s",      # the gateway (its own RPC timeout is 10 s)
    "max_body": "64k",              # POST /api/v1/petitions
    "max_small_body": "8k",         # every other route (the gateway checks the same)
    "max_file_body": "11m",         # a case material (ATTACHMENT_MAX_BYTES is 10 MiB)
    "connections_per_client": "32",  # held open at once by one address
    "sign_in_rate": "30r/m",        # POST /api/v1/auth/token per address
    "sign_in_burst": "10",
    "retry_after": "30",            # seconds, on nginx's own 429 and 503
}


def settings(env=None):
    env = os.environ if env is None else env
    return {name: env.get(f"FRONT_{name.upper()}", default)
            for name, default in FRONT_DEFAULTS.items()}


def render(listen, upstream, run_dir, log_dir, env=None):
    text = TEMPLATE.read_text()
    values = {**settings(env), "listen": listen, "upstream": upstream,
              "run_dir": str(run_dir), "log_dir": str(log_dir)}
    for name, value in values.items():
        text = text.replace("{{ %s }}" % name, str(value))
    if "{{" in text:
        raise ValueError(f"{TEMPLATE}: a placeholder has no value")
    return text


class Front:
    """nginx in the foreground, as a child process, with its config, pid and
    temp files under ``run_dir``."""

    def __init__(self, run_dir, listen, upstream, log_dir=None, env=None):
        self.run_dir = Path(run_dir)
        self.log_dir = Path(log_dir or run_dir)
        self.listen, self.upstream, self.env = listen, upstream, env
        self.process = None

    @property
    def config_path(self):
        return self.run_dir / "nginx.conf"

    def write_config(self):
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(render(self.listen, self.upstream, self.run_dir.resolve(),
                                           self.log_dir.resolve(), self.env))
        check = subprocess.run([NGINX, "-t", "-q", "-p", str(self.run_dir), "-c",
                                str(self.config_path), "-g", "daemon off;"],
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused {self.config_path}: {check.stderr.strip()}")

    def start(self):
        self.write_config()
        log = open(self.log_dir / "front.log", "ab")
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.run_dir), "-c", str(self.config_path), "-g", "daemon off;"],
            stdout=log, stderr=subprocess.STDOUT)
        return self.process

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finishes what it serves
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
