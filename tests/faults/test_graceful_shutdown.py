"""SIGTERM each service in the middle of a stream of submissions, as a rolling
update does: it stops within a few seconds, by itself (not killed at the end
of its grace period), and nothing it held is lost: every accepted petition
ends routed and tracked with exactly one query-code SMS. The signal is sent
twice, as a process group's SIGTERM followed by the runner's own arrives (it
used to hang nameko's stop for good)."""
import signal
import time

import pytest

from core.config import SERVICES, STOP_GRACE_SECONDS
from tests.faults.support import SubmissionStream, assert_nothing_lost, service_log


def sigterm(stack, name):
    """SIGTERM (twice) to a running service; the seconds it took to exit."""
    process = stack.processes.pop(name)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    returncode = process.wait(timeout=60)
    return time.monotonic() - started, returncode


def start_again(stack, name, tries=3):
    """Start the service again and wait until it serves. On this shared
    machine the broker sometimes resets a connection while a service declares
    its queues at start, and the fresh process exits (as a pod would, and be
    restarted): start it again, a few times at most."""
    for attempt in range(1, tries + 1):
        stack.start(name)
        try:
            stack.wait_until_ready(timeout=90)
            return
        except RuntimeError:
            if attempt == tries or stack.processes[name].poll() is None:
                raise
            print(f"\n{name} exited while starting (attempt {attempt}); starting it again")
            stack.processes.pop(name)


@pytest.mark.timeout(600)
def test_sigterm_mid_stream_stops_each_service_in_time_and_loses_nothing(stack):
    stopped = {}
    with SubmissionStream(stack, rate=5) as stream:
        stream.flowing()
        for name in SERVICES:
            stopped[name] = sigterm(stack, name)
            start_again(stack, name)
            stream.flowing()  # the stream runs on against the restarted service
    print(f"\nseconds to stop on SIGTERM: "
          f"{ {name: round(s, 1) for name, (s, _) in stopped.items()} }; "
          f"{len(stream.accepted)} accepted; outcomes {dict(stream.outcomes)}")
    for name, (seconds, returncode) in stopped.items():
        assert returncode == 0, f"{name} exited with {returncode}"
        assert seconds < STOP_GRACE_SECONDS, f"{name} took {seconds:.1f}s to stop"
        assert "not stopped after" not in service_log(stack, name), f"{name} had to be killed"
    assert not stream.bad_errors, stream.bad_errors[:3]
    assert_nothing_lost(stack, stream.accepted)
