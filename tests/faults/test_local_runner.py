"""The local runner (``make run``, deploy/local.py) as an operator meets it:
kill -9 of one service in the middle of a stream of submissions leaves the
others serving, the runner says so and starts it again, and nothing accepted
is lost; Ctrl-C (SIGINT to the process group, as a terminal sends it) still
stops every process it started."""
import os
import signal
import subprocess
import sys
import threading

import pytest

from core.config import ROOT, SERVICES, STOP_GRACE_SECONDS
from deploy.rabbitmq import throwaway_vhost
from deploy.stack import LIMITS_LIFTED, LocalStack, free_port
from tests.faults.support import FAULT_ENV, SubmissionStream, assert_nothing_lost, eventually
from tests.stack import TEST_ENV


class Runner:
    """``python -m deploy.local`` in a process group of its own; its output
    kept line by line."""

    def __init__(self, var_dir, port, env):
        self.lines = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "deploy.local", "--var-dir", str(var_dir), "--port",
             str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def said(self, text):
        return [line for line in self.lines if text in line]

    def children(self):
        """name -> pid of each service process it started (deploy.serve NAME)."""
        out = subprocess.run(["ps", "--ppid", str(self.process.pid), "-o", "pid=,args="],
                             capture_output=True, text=True).stdout
        found = {}
        for line in out.splitlines():
            pid, _, args = line.strip().partition(" ")
            words = args.split()
            if "deploy.serve" in words:
                found[words[words.index("deploy.serve") + 1]] = int(pid)
        return found


@pytest.mark.timeout(500)
def test_runner_restarts_a_killed_service_and_ctrl_c_stops_everything(tmp_path):
    port = free_port()
    with throwaway_vhost() as amqp_uri:
        env = {**os.environ, "AMQP_URI": amqp_uri, **TEST_ENV, **LIMITS_LIFTED, **FAULT_ENV}
        runner = Runner(tmp_path, port, env)
        try:
            assert eventually(lambda: runner.said("Press Ctrl-C"), timeout=240), runner.lines
            # The platform as the tests' helpers see it (nothing started here).
            view = LocalStack(tmp_path, env=env, port=port)
            assert set(runner.children()) == set(SERVICES)
            tracking = runner.children()["tracking"]
            with SubmissionStream(view, rate=5) as stream:
                stream.flowing()
                os.kill(tracking, signal.SIGKILL)
                killed_at = len(stream.accepted)
                assert eventually(lambda: runner.said("tracking stopped (killed by SIGKILL)"),
                                  timeout=30), runner.lines
                assert eventually(lambda: runner.said("tracking restarted"), timeout=60)
                view.wait_for_consumers({"rpc-tracking": 1}, timeout=90)
                accepted_while_down = len(stream.accepted) - killed_at
                stream.flowing()  # and on, with tracking back
            assert runner.children()["tracking"] != tracking
            print(f"\n{len(stream.accepted)} accepted, {accepted_while_down} of them while "
                  f"tracking was down or starting; outcomes {dict(stream.outcomes)}")
            # The others kept serving: submissions went on being accepted.
            assert accepted_while_down > 0
            assert not stream.bad_errors, stream.bad_errors[:3]
            assert_nothing_lost(view, stream.accepted)
            assert not runner.said("stopping the others")
            children = runner.children()
            os.killpg(runner.process.pid, signal.SIGINT)
            # its designed bound: the front and gateway, then the services, each
            # given STOP_GRACE_SECONDS and 10 s more (deploy/stack.py stop_all)
            try:
                runner.process.wait(timeout=2 * (STOP_GRACE_SECONDS + 10) + 30)
            except subprocess.TimeoutExpired:
                pytest.fail(f"the runner did not stop in time; its services still running: "
                            f"{runner.children()}; its last lines: {runner.lines[-20:]}")
            assert runner.said("stopping ...")
            for name, pid in children.items():
                assert not os.path.exists(f"/proc/{pid}"), f"{name} still runs after Ctrl-C"
        finally:
            if runner.process.poll() is None:
                os.killpg(runner.process.pid, signal.SIGKILL)
