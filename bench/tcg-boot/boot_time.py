#!/usr/bin/env python3
"""Times one VM boot: from spawning COMMAND to the serial-console line holding MARKER.

usage: boot_time.py TIMEOUT_S LOG MARKER -- COMMAND...

Reads the VM's stdout as a stream (stderr goes to LOG too), timestamps the moment the marker's
line is complete, then kills the VM's whole process group. Prints the seconds on stdout.
Exit status: 0 marker seen, 2 timed out (the VM was killed), 3 the VM exited without the marker.
"""
import os
import select
import signal
import subprocess
import sys
import time


def main(argv):
    if len(argv) < 5 or argv[3] != "--":
        sys.exit("usage: boot_time.py TIMEOUT_S LOG MARKER -- COMMAND...")
    timeout, log_path, marker, command = float(argv[0]), argv[1], argv[2].encode(), argv[4:]
    with open(log_path, "wb") as log:
        start = time.monotonic()
        vm = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=log, start_new_session=True)
        fd, seen, status = vm.stdout.fileno(), b"", 3
        try:
            while True:
                left = start + timeout - time.monotonic()
                if left <= 0:
                    status = 2
                    break
                ready, _, _ = select.select([fd], [], [], left)
                if not ready:
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    break  # the VM closed its stdout: exited without the marker
                now = time.monotonic()
                log.write(chunk)
                seen = seen[-4096:] + chunk
                at = seen.find(marker)
                if at >= 0 and b"\n" in seen[at:]:
                    print(f"{now - start:.3f}")
                    status = 0
                    break
        finally:
            try:
                os.killpg(vm.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            vm.wait()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
