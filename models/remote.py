"""A Trainer in a process of its own, driven through a pipe: the UI's server never waits on training.

In one process, a training thread and a web server share one GIL; every small torch op gives it up and
waits to get it back, so training crawled at a tenth of its speed beside a redrawing page. In a child
process it trains at full speed, and the parent receives plain records.

Protocol (parent → child): ("run", hold_at) train until told otherwise, or until step hold_at (None: no such
step), where it stops by itself; ("pause",) stop and reply ("paused", step);
("advance", n) train n steps and reply ("advanced", step); ("stop",) exit.
Child → parent: ("ready",) once; ("records", step, records, verdicts) after every step.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import threading
from multiprocessing.connection import Connection

from models.config import RunConfig
from models.trainer import Trainer, limit_threads

NICENESS = 5  # lower CPU priority for training than for the process serving pages


def serve(config: RunConfig, connection: Connection) -> None:
    """The child's loop: train on command, send every step's records back, exit on "stop" or a closed pipe."""
    limit_threads(1)  # one core per run: runs share the machine instead of oversubscribing it
    os.nice(NICENESS)  # on a busy machine the web server answers first; alone, training loses nothing
    trainer = Trainer(config)
    connection.send(("ready",))
    running, remaining, hold_at = False, 0, None
    try:
        while True:
            if (running or remaining) and not connection.poll():
                connection.send(("records", *_step(trainer)))
                if running and trainer.step_count == hold_at:
                    running = False  # the parent sees the step in the records and knows the run holds here
                if remaining:
                    remaining -= 1
                    if remaining == 0:
                        connection.send(("advanced", trainer.step_count))
                continue
            command, *arguments = connection.recv()  # blocks while paused
            if command == "run":
                hold_at = arguments[0] if arguments else None
                running = hold_at is None or trainer.step_count < hold_at
            elif command == "pause":
                running, remaining = False, 0
                connection.send(("paused", trainer.step_count))
            elif command == "advance":
                running, remaining = False, arguments[0]
                if remaining == 0:
                    connection.send(("advanced", trainer.step_count))
            elif command == "stop":
                return
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return  # the parent went away


def _step(trainer: Trainer) -> tuple:
    records = trainer.step()
    return trainer.step_count, records, trainer.verdicts()


def _context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    # torch.optim's first optimizer imports torch._dynamo (~2 s): do it once, in the forkserver.
    context.set_forkserver_preload(["__main__", "models.trainer", "torch._dynamo", "models.forkserver_preload"])
    return context


_warming: list[threading.Thread] = []


def warm_up() -> None:
    """Start the forkserver in the background (it imports torch: seconds), so the first run starts at once."""
    if not _warming:
        _context()
        _warming.append(threading.Thread(target=multiprocessing.forkserver.ensure_running, daemon=True))
        _warming[0].start()


def start(config: RunConfig) -> tuple[multiprocessing.Process, Connection]:
    """Start a training process for `config`; return it and the parent's end of its pipe.

    Children fork from a forkserver that has imported torch and the parent's main module once: a new
    run starts in a fraction of a second, and no child inherits the server's threads.
    """
    context = _context()
    parent, child = context.Pipe()
    process = context.Process(target=serve, args=(config, child), name="rnn-lab-trainer", daemon=True)
    process.start()
    child.close()
    return process, parent
