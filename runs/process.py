"""A Trainer in a process of its own, driven through a pipe: the UI's server never waits on training.

In one process, a training thread and a web server share one GIL; every small torch op gives it up and
waits to get it back, so training crawled at a tenth of its speed beside a redrawing page. In a child
process it trains at full speed, and the parent receives plain records.

The messages each side sends are typed in runs.protocol.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import queue
import threading
import time
from multiprocessing import popen_forkserver, spawn
from multiprocessing.connection import Connection

from models import checkpoint
from models.config import RunConfig
from models.trainer import Trainer, limit_threads
from runs import protocol

# Training yields the CPU to the web server whenever both want it. The server, one Python process with one GIL,
# uses at most about a core, so on two cores training always keeps at least the other. Measured at 40 sessions
# (protocol load test): niceness 5 left pages 0.28–1.09 status updates a second (lowest per preset), 19 gave
# 1.16–1.34, and the runs reached their deciding steps as fast.
NICENESS = 19


def serve(config: RunConfig, saved: bytes | None, connection: Connection) -> None:
    """The child's loop: train on command, send every step's records back, exit on Stop or a closed pipe.

    With `saved` (what an earlier process of this run sent before it gave up) it resumes exactly there.
    """
    limit_threads(1)  # one core per run: runs share the machine instead of oversubscribing it
    os.nice(NICENESS)  # on a busy machine the web server answers first; alone, training loses nothing
    trainer = checkpoint.restore(saved) if saved is not None else Trainer(config)
    connection.send(protocol.Ready())
    outbox = Outbox(connection)
    running, remaining, hold_at = False, 0, None
    try:
        while True:
            if (running or remaining) and not connection.poll():
                outbox.put(_step(trainer))
                if running and trainer.step_count == hold_at:
                    running = False  # the parent sees the step in the records and knows the run holds here
                if remaining:
                    remaining -= 1
                    if remaining == 0:
                        outbox.put(protocol.Advanced(trainer.step_count))
                continue
            command = connection.recv()  # blocks while paused
            if isinstance(command, protocol.Run):
                hold_at = command.hold_at
                running = hold_at is None or trainer.step_count < hold_at
            elif isinstance(command, protocol.Pause):
                running, remaining = False, 0
                outbox.put(protocol.Paused(trainer.step_count))
            elif isinstance(command, protocol.Advance):
                running, remaining = False, command.steps
                if remaining == 0:
                    outbox.put(protocol.Advanced(trainer.step_count))
            elif isinstance(command, protocol.Checkpoint):  # give the process up: everything goes back, then exit
                outbox.close()
                connection.send(protocol.Saved(checkpoint.save(trainer)))
                return
            elif isinstance(command, protocol.Stop):
                return
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return  # the parent went away


class Outbox:
    """Messages to the parent, sent by a thread of their own: training never waits for the parent to read.

    A busy web server drains its pipes late; a training loop that sent each step itself stalled whenever the
    pipe's buffer was full. Steps that pile up meanwhile go as one Records message.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection, self._queue = connection, queue.SimpleQueue()
        self._thread = threading.Thread(target=self._send, name="rnn-lab-outbox", daemon=True)
        self._thread.start()

    def put(self, message: object) -> None:
        self._queue.put(message)

    def close(self) -> None:
        """Send what is queued, then stop (the caller may then use the connection itself)."""
        self._queue.put(None)
        self._thread.join()

    def _send(self) -> None:
        try:
            while True:
                pending = [self._queue.get()]
                while not self._queue.empty():
                    pending.append(self._queue.get())
                closing = pending[-1] is None
                pending = [message for message in pending if message is not None]
                steps: list[protocol.Step] = []
                for message in pending:
                    if isinstance(message, protocol.Step):
                        steps.append(message)
                        continue
                    if steps:
                        self._connection.send(protocol.Records(steps))
                        steps = []
                    self._connection.send(message)
                if steps:
                    self._connection.send(protocol.Records(steps))
                if closing:
                    return
        except (BrokenPipeError, OSError):
            return


def _step(trainer: Trainer) -> protocol.Step:
    started = time.process_time()
    records = trainer.step()
    frozen = all(not run.live for run in trainer.runs)
    return protocol.Step(trainer.step_count, records, trainer.verdicts(), frozen, time.process_time() - started)


def _context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    # torch.optim's first optimizer imports torch._dynamo (~2 s): do it once, in the forkserver. Not the parent's
    # main module: under Streamlit that is the app, and a training process has no use for streamlit or pandas.
    context.set_forkserver_preload(["models.trainer", "torch._dynamo", "runs.forkserver_preload"])
    return context


class _Popen(popen_forkserver.Popen):
    """A forkserver child that does not run the parent's main module first.

    multiprocessing re-imports the parent's `__main__` in every child, for targets defined there. Under
    Streamlit that module is the app (dashboard/app.py), which would import streamlit, pandas and altair into
    every training process; our targets live in importable modules, so the child is told of no main module.
    """

    _lock = threading.Lock()

    def _launch(self, process_obj) -> None:
        with self._lock:  # the preparation function is swapped only while this start reads it
            original = spawn.get_preparation_data
            spawn.get_preparation_data = _without_main(original)
            try:
                super()._launch(process_obj)
            finally:
                spawn.get_preparation_data = original


def _without_main(prepare):
    def preparation_data(name: str) -> dict:
        data = prepare(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    return preparation_data


class _Process(multiprocessing.context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _Popen(process_obj)


_warming: list[threading.Thread] = []


def warm_up() -> None:
    """Start the forkserver in the background (it imports torch: seconds), so the first run starts at once."""
    if not _warming:
        _context()
        _warming.append(threading.Thread(target=multiprocessing.forkserver.ensure_running, daemon=True))
        _warming[0].start()


def start(config: RunConfig, saved: bytes | None = None) -> tuple[multiprocessing.Process, Connection]:
    """Start a training process for `config` (resuming `saved`, if given); return it and its pipe's parent end.

    Children fork from a forkserver that has imported torch and the engine once: a new run starts in a fraction
    of a second, and no child inherits the server's threads.
    """
    return launch(serve, config, saved)


def launch(target, *arguments) -> tuple[multiprocessing.Process, Connection]:
    """Run `target(*arguments, connection)` in a forkserver child; return it and the parent's end of the pipe."""
    context = _context()
    parent, child = context.Pipe()
    process = _Process(target=target, args=(*arguments, child), name="rnn-lab-trainer", daemon=True)
    process.start()
    child.close()
    return process, parent
