"""``python -m lineage``, and the ``lineage`` command."""

import signal
import sys


def run() -> None:
    """Run the command line; Ctrl-C or SIGTERM at any point ends it with one line.

    The CLI (typer, rich, the pipeline) is imported here, inside the handler, so an
    interrupt while it loads is answered too; SIGTERM (a job killed by ``timeout``
    or a scheduler) is read as Ctrl-C, so a report being written is cleaned up.
    """
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, interrupt)
        from lineage.cli import main

        main()
    except KeyboardInterrupt:
        sys.stderr.write(f"{_INTERRUPTED}\n")
        sys.exit(130)
    except SystemExit as done:
        # typer ends an interrupt outside a command's error handling (while it parses
        # the arguments, or a command imports its stages) with exit code 130, silently
        cli = sys.modules.get("lineage.cli")
        if done.code == 130 and not getattr(cli, "interrupt_reported", False):
            sys.stderr.write(f"{_INTERRUPTED}\n")
        raise


_INTERRUPTED = "interrupted: nothing was written"


if __name__ == "__main__":
    run()
