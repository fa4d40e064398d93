"""A process's resident memory, its peak while something runs (for the upload memory checks), and its CPU time."""

import os
import threading
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime + stime of `pid`, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class PeakRSS:
    """`with PeakRSS(pid, interval) as peak:` samples `pid`'s resident memory every `interval` seconds while the
    block runs; `peak.before_kb` and `peak.peak_kb` then hold the figures."""

    def __init__(self, pid, interval):
        self.pid = pid
        self.interval = interval
        self.before_kb = self.peak_kb = 0
        self._done = threading.Event()
        self._sampler = threading.Thread(target=self._sample)

    def _sample(self):
        while not self._done.is_set():
            self.peak_kb = max(self.peak_kb, rss_kb(self.pid))
            time.sleep(self.interval)

    def __enter__(self):
        self.before_kb = self.peak_kb = rss_kb(self.pid)
        self._sampler.start()
        return self

    def __exit__(self, *_):
        self._done.set()
        self._sampler.join()
        self.peak_kb = max(self.peak_kb, rss_kb(self.pid))

    @property
    def growth_mb(self):
        return (self.peak_kb - self.before_kb) / 1024
