"""Real servers for tests, each in a process of its own (no eventlet
patching): an SMTP server (aiosmtpd) and HTTP receivers. Start them with
``tests.servers.running``."""
import json
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from deploy.stack import free_port


def self_signed(directory):
    """A certificate for 127.0.0.1/localhost and its key, written to ``directory``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(timezone.utc)
    import ipaddress
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = Path(directory) / "cert.pem", Path(directory) / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@contextmanager
def running(module, *args, port=None, timeout=20):
    """``python -m tests.servers.<module> PORT *args`` until the block ends
    (``port``: a free one when not given); yields the port once it accepts
    connections."""
    import socket
    port = port or free_port()
    process = subprocess.Popen([sys.executable, "-m", f"tests.servers.{module}", str(port),
                                *map(str, args)])
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"tests.servers.{module} did not start")
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def received(directory):
    """What a server wrote to ``directory``: one JSON file per message, in order."""
    return [json.loads(p.read_text()) for p in sorted(Path(directory).glob("*.json"))]


def get_json(port, path):
    return requests.get(f"http://127.0.0.1:{port}{path}", timeout=5).json()
