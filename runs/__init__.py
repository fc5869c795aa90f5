"""The run service: training processes, the message protocol, each run's history, and the hub that shares runs
between sessions and gives out the training slots. It imports the engine and the standard library only; the
dashboard tells it which sessions are connected and where a configuration's claim is decided."""
