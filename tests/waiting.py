"""Waiting for something another process does (a worker, a browser's service worker)."""
import time


def wait_until(condition, timeout: float = 15.0, every: float = 0.2) -> bool:
    """Whether ``condition()`` became true within ``timeout`` seconds (checked once more at
    the end, so a slow machine gets its answer rather than a spurious False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return bool(condition())
