# Simulates a server that dies at startup with a config error.
import sys

sys.stderr.write("fatal: JIRA_URL is not configured\n")
sys.exit(1)
