import sys
from pathlib import Path

# Test helper modules (graph.py, pgserver.py) import by file name.
for sub in ("unit", "integration", "e2e"):
    sys.path.insert(0, str(Path(__file__).parent / sub))
