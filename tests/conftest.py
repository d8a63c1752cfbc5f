import sys
from pathlib import Path

# Test helpers (fake_cloud, landing zones) import as plain modules from this folder.
sys.path.insert(0, str(Path(__file__).parent))
