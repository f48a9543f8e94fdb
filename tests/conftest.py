"""Shared test configuration: hypothesis without deadlines (numba compiles on first call)."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "codebook",
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # seeded: a CI run is repeatable, never a flaky rerun
)
settings.load_profile("codebook")
