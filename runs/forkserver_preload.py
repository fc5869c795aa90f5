"""Imported last in the forkserver (see `runs.process`): freeze what it has loaded before it forks runs.

Every training process forks from the forkserver, sharing its memory page by page until a page is written.
A garbage collection in a child would write to every object it inherited (torch's, and the web server's
modules the forkserver imports as the parent's main module), copying most pages: about 180 MB per run.
`gc.freeze()` moves those objects out of the collector's reach, as Python's documentation advises for
fork without exec. Importing this module anywhere else would only make the collector skip old objects.
"""

import gc

gc.collect()
gc.freeze()
