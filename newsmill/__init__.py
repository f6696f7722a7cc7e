"""newsmill: scheduled news scraping (docs/architecture.md).

newsmill installs three top-level import packages: `newsmill`, and the stages `spiders` and
`transforms`, which keep the names of the project's layout. Those two names are generic, so newsmill
lives in an environment of its own (`./run` makes `.venv`) and checks here, before anything imports
them, that they are its own: another package with the same name would otherwise be run as a stage.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

STAGE_PACKAGES = ("spiders", "transforms")


def _check_stage_packages() -> None:
    home = Path(__file__).resolve().parent.parent
    for name in STAGE_PACKAGES:
        spec = find_spec(name)
        found = Path(spec.origin).resolve().parent.parent if spec and spec.origin else None
        if found != home:
            where = f"{found / name}" if found else "nowhere"
            raise ImportError(
                f"newsmill: the package {name!r} is found at {where}, not beside newsmill in {home}: "
                f"another installed package or folder named {name!r} hides newsmill's. Install newsmill "
                "into an environment of its own (./run does: .venv) and run it from outside that folder."
            )


_check_stage_packages()
