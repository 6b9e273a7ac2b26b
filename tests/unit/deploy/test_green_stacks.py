"""SIGUSR2's dump (deploy/serve.py): every waiting green thread's stack,
naming where it waits."""
import eventlet

from deploy.serve import green_stacks


def waits_for_the_broker(event):
    event.wait()


def test_a_waiting_green_thread_shows_where_it_waits():
    event = eventlet.event.Event()
    waiting = eventlet.spawn(waits_for_the_broker, event)
    eventlet.sleep(0)  # let it start waiting
    try:
        assert any("waits_for_the_broker" in stack and "event.wait()" in stack
                   for stack in green_stacks())
    finally:
        event.send(None)
        waiting.wait()
    assert not any("waits_for_the_broker" in stack for stack in green_stacks())
