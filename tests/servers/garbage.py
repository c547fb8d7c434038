# Simulates a server that prints non-JSON garbage on stdout and never answers.
import sys
import time

for i in range(20):
    sys.stdout.write(f"Starting up... step {i} <<not json>>\n")
    sys.stdout.flush()
time.sleep(3600)
