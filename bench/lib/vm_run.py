#!/usr/bin/env python3
"""Runs one benchmark VM to the end of its guest workload, with a boot timeout and a total timeout.

usage: vm_run.py BOOT_TIMEOUT_S TOTAL_TIMEOUT_S LOG READY DONE [HANG] -- COMMAND...

Streams the VM's stdout (its serial console) into LOG (stderr goes there too), and into
LOG.times every console line holding "BENCH " with the host's seconds since the start before
it (to check the guest's own timing against the host's clock). The guest must
print a line holding READY within BOOT_TIMEOUT_S of the start (QEMU's microvm under TCG now and
then hangs at boot, see bench/README.md) and a line holding DONE within TOTAL_TIMEOUT_S; after
DONE the VM gets 60 s to power off before it is killed. HANG, if given, is console text that
announces a boot hang: the VM is killed as soon as it appears. The VM runs in its own process
group, which is killed whatever happens.
Exit status: 0 DONE seen, 2 no READY in time or HANG seen (a boot hang: retry), 3 the VM exited
without DONE, 4 DONE not within TOTAL_TIMEOUT_S.
"""
import os
import select
import signal
import subprocess
import sys
import time


def now_s(start):
    return time.monotonic() - start


def main(argv):
    sep = argv.index("--") if "--" in argv else -1
    if sep not in (5, 6) or sep == len(argv) - 1:
        sys.exit("usage: vm_run.py BOOT_TIMEOUT_S TOTAL_TIMEOUT_S LOG READY DONE [HANG] -- COMMAND...")
    boot_timeout, total_timeout = float(argv[0]), float(argv[1])
    log_path, ready, done, command = argv[2], argv[3].encode(), argv[4].encode(), argv[sep + 1:]
    hang = argv[5].encode() if sep == 6 else None
    with open(log_path, "wb") as log, open(log_path + ".times", "wb") as times:
        start = time.monotonic()
        vm = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=log, start_new_session=True)
        fd, seen, status, booted, line = vm.stdout.fileno(), b"", 3, False, b""
        try:
            while True:
                now = time.monotonic()
                limit = start + (total_timeout if booted else boot_timeout)
                if now >= limit:
                    status = 4 if booted else 2
                    break
                r, _, _ = select.select([fd], [], [], limit - now)
                if not r:
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                log.write(chunk)
                log.flush()
                line += chunk
                *whole, line = line.split(b"\n")
                for w in whole:
                    if b"BENCH " in w:
                        times.write(b"%.3f %s\n" % (now_s(start), w.rstrip(b"\r")))
                seen = seen[-8192:] + chunk
                booted = booted or ready in seen
                if hang is not None and not booted and hang in seen:
                    status = 2
                    break
                at = seen.find(done)
                if at >= 0 and b"\n" in seen[at:]:
                    status = 0
                    break
            if status == 0:  # let the guest power off (and the VM exit) on its own
                end = time.monotonic() + 60
                while vm.poll() is None and time.monotonic() < end:
                    r, _, _ = select.select([fd], [], [], 1)
                    if r:
                        chunk = os.read(fd, 65536)
                        if not chunk:
                            break
                        log.write(chunk)
        finally:
            try:
                os.killpg(vm.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            vm.wait()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
