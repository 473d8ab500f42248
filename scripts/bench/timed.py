#!/usr/bin/env python3
"""timed.py: runs a command and prints its wall time in seconds, from a monotonic clock.

Usage: timed.py COMMAND [ARG...]
Prints one line, the elapsed seconds (time.perf_counter around the child process, so this
interpreter's own start-up is not counted), and exits with the command's status.
"""

import subprocess
import sys
import time


def main(argv):
    if len(argv) < 2:
        print("usage: timed.py COMMAND [ARG...]", file=sys.stderr)
        return 2
    start = time.perf_counter()
    status = subprocess.call(argv[1:])
    elapsed = time.perf_counter() - start
    print("%.6f" % elapsed)
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
