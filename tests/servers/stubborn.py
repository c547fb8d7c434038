# Simulates a server that ignores SIGTERM and leaves a grandchild that ignores it too.
import os
import signal
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
pid = os.fork()
if pid == 0:
    time.sleep(3600)
    os._exit(0)
pidfile = os.environ.get("MCPCTL_TEST_PIDFILE")
if pidfile:
    with open(pidfile + ".tmp", "w") as f:
        f.write(f"{os.getpid()}\n{pid}\n")
    os.rename(pidfile + ".tmp", pidfile)
while True:
    time.sleep(3600)
