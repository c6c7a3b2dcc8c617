#!/usr/bin/env python3
"""The server image's entrypoint (deploy/docker/entrypoint.sh) with the real executable.

Usage: docker_entrypoint_test.py GATESCOPE REPO_ROOT

There is no container runtime here, so the entrypoint runs as ECS would run it, minus the
container: GS_CLIENTS_JSON in the environment (ECS `secrets` from Secrets Manager), the
settings the Terraform server module sets, `gatescope` on PATH. Checks: the server starts and
/readyz answers (the ALB's health check), the connector's client gets a token, the clients
file is readable by its owner only, and the secret is gone from the server's environment
(the server also refuses unknown GATESCOPE_SERVER_* names, which GS_ is not).
"""
import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def main():
    gatescope, repo = os.path.abspath(sys.argv[1]), sys.argv[2]
    entrypoint = os.path.join(repo, "deploy", "docker", "entrypoint.sh")
    out = subprocess.run([gatescope, "auth", "add-client", "--id", "connector", "--scope",
                          "inventory:ingest"], capture_output=True, text=True, check=True)
    added = json.loads(out.stdout)
    clients_json = json.dumps({"clients": [added["client"]]})
    with tempfile.TemporaryDirectory() as tmp:
        bindir = os.path.join(tmp, "bin")
        os.mkdir(bindir)
        os.symlink(gatescope, os.path.join(bindir, "gatescope"))
        clients_file = os.path.join(tmp, "run", "gatescope", "clients.json")
        port_file = os.path.join(tmp, "port")
        env = {
            "PATH": bindir + ":/usr/bin:/bin",
            "GS_CLIENTS_JSON": clients_json,
            "GATESCOPE_SERVER_LISTEN": "127.0.0.1:0",
            "GATESCOPE_SERVER_STORE": "sqlite:" + os.path.join(tmp, "inventory.db"),
            "GATESCOPE_SERVER_CLIENTS_FILE": clients_file,
            "GATESCOPE_SERVER_PORT_FILE": port_file,
        }
        proc = subprocess.Popen(["sh", entrypoint], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.time() + 20
            while not (os.path.exists(port_file) and open(port_file).read().strip()):
                if proc.poll() is not None or time.time() > deadline:
                    print("FAIL: server did not start:\n" + (proc.communicate()[0] or ""))
                    return 1
                time.sleep(0.05)
            base = f"http://127.0.0.1:{open(port_file).read().strip()}"
            ready = urllib.request.urlopen(base + "/readyz", timeout=10)
            assert ready.status == 200, f"/readyz answered {ready.status}"
            basic = base64.b64encode(f"connector:{added['client_secret']}".encode()).decode()
            req = urllib.request.Request(base + "/oauth2/token",
                                         data=b"grant_type=client_credentials",
                                         headers={"Authorization": "Basic " + basic,
                                                  "Content-Type": "application/x-www-form-urlencoded"})
            token = json.load(urllib.request.urlopen(req, timeout=30))
            assert token.get("access_token"), f"no token: {token}"
            mode = os.stat(clients_file).st_mode & 0o777
            assert mode == 0o600, f"clients file mode {oct(mode)}"
            with open(f"/proc/{proc.pid}/environ", "rb") as f:
                environ = f.read().split(b"\0")
            assert not any(e.startswith(b"GS_CLIENTS_JSON=") for e in environ), \
                "GS_CLIENTS_JSON still in the server's environment"
            exe = os.readlink(f"/proc/{proc.pid}/exe")
            assert os.path.samefile(exe, gatescope), f"the entrypoint did not exec ({exe})"
        except (AssertionError, urllib.error.URLError) as e:
            print(f"FAIL: {e}")
            return 1
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    print("entrypoint: serve started, /readyz 200, token issued, clients file 0600, secret unset")
    return 0


if __name__ == "__main__":
    sys.exit(main())
