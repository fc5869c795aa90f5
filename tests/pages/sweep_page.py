"""The sweep page alone, for AppTest (the app's navigation runs one page per script run; AppTest drives files).

Guarded like dashboard/app.py: a process pool spawned later in the same test session re-imports the main module,
and must draw nothing.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))  # the repository root

from dashboard import sweep

if __name__ == "__main__":
    sweep.page()
