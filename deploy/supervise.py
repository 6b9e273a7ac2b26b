"""Keep the local platform serving when one process dies, as Kubernetes
would: a service (or the front) that exits on its own is started again after
a backoff, while the others go on serving; each step is said on the runner's
output. ``make run`` (deploy/local.py) checks once a second.

Backoff: 1 s after a crash, doubled for each crash that follows within
``STABLE_SECONDS`` of its restart, at most 30 s; a process that stayed up
that long starts again from 1 s."""
import signal
import time

FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0
STABLE_SECONDS = 60.0


def describe_exit(returncode):
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit code {returncode}"


class Supervisor:
    def __init__(self, stack, say=print, clock=time.monotonic):
        self.stack, self.say, self.clock = stack, say, clock
        self.started_at = {name: clock() for name in stack.processes}
        self.delays = {}    # name -> the delay of its last restart
        self.restarts = {}  # name -> how many times it was restarted
        self.due = {}       # name -> when it starts again

    def check(self):
        """Notice exits, start again what is due; call it every second or so."""
        now = self.clock()
        for name, process in list(self.stack.processes.items()):
            if name in self.due or process.poll() is None:
                continue
            stable = now - self.started_at.get(name, now) >= STABLE_SECONDS
            delay = (FIRST_DELAY_SECONDS if stable or name not in self.delays
                     else min(self.delays[name] * 2, MAX_DELAY_SECONDS))
            self.delays[name], self.due[name] = delay, now + delay
            self.say(f"{name} stopped ({describe_exit(process.returncode)}); restarting it "
                     f"in {delay:g}s; the other services keep serving", flush=True)
        for name, due in list(self.due.items()):
            if now >= due:
                del self.due[name]
                self.stack.processes.pop(name)
                self.stack.start(name)
                self.started_at[name] = self.clock()
                self.restarts[name] = self.restarts.get(name, 0) + 1
                self.say(f"{name} restarted (restart {self.restarts[name]}, "
                         f"pid {self.stack.processes[name].pid})", flush=True)
