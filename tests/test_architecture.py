"""The import rules hold (pyproject's [tool.importlinter], docs/architecture.md):
sms is transport only, the domain doesn't import the web app, production code
doesn't import the developer tools, apps sit in layers without cycles, and an
app's modules import each other without cycles."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
