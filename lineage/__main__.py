"""``python -m lineage``, and the ``lineage`` command."""

import os
import signal
import sys

_INTERRUPTED = "interrupted: nothing was written"


def run() -> None:
    """Run the command line; Ctrl-C or SIGTERM at any point ends it with one line.

    While the CLI and the pipeline's libraries load, an interrupt ends the process at
    once (nothing is written yet, and a library's bare ``except:`` around an optional
    import would swallow a ``KeyboardInterrupt``). Once a command runs, an interrupt,
    SIGTERM too (a job killed by ``timeout`` or a scheduler), is a
    ``KeyboardInterrupt``, so a report being written is cleaned up.
    """
    started = False

    def interrupt(signum, frame):
        if not started:
            sys.stderr.write(f"{_INTERRUPTED}\n")
            sys.stderr.flush()
            os._exit(130)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    try:
        from lineage.cli import main
        from lineage.pipeline import analyze  # noqa: F401 - its libraries load here

        started = True
        main()
    except KeyboardInterrupt:
        sys.stderr.write(f"{_INTERRUPTED}\n")
        sys.exit(130)
    except SystemExit as done:
        # typer ends an interrupt outside a command's error handling (while it parses
        # the arguments) with exit code 130, silently
        cli = sys.modules.get("lineage.cli")
        if done.code == 130 and not getattr(cli, "interrupt_reported", False):
            sys.stderr.write(f"{_INTERRUPTED}\n")
        raise


if __name__ == "__main__":
    run()
