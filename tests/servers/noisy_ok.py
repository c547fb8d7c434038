# Simulates a working server that also prints a banner on stdout (a common server bug).
import os
import sys

sys.stdout.write("Server starting\nListening on stdio\n*** ready ***\n")
sys.stdout.flush()
os.environ.setdefault("MINIMAL_TOOLS", "echo,add")
sys.path.insert(0, os.path.dirname(__file__))
import minimal  # noqa: E402

minimal.serve()
