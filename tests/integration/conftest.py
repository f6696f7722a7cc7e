from __future__ import annotations


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        "integration: starts real processes on 127.0.0.1 (Airflow, demo sites); runs by default, "
        "select with -m integration or skip with -m 'not integration'",
    )
