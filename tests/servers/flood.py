# Simulates a server that floods stdout with 100 MB of junk, then hangs.
import sys
import time

chunk = b"x" * 1023 + b"\n"
out = sys.stdout.buffer
try:
    for _ in range(100 * 1024):
        out.write(chunk)
    out.flush()
except BrokenPipeError:
    pass
time.sleep(3600)
