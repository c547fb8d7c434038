# Simulates a server that reads its input forever and never answers.
import sys

for _ in sys.stdin:
    pass
