"""Demo company (placeholder until the full demo data lands)."""


def seed_demo() -> str:
    return "seed-demo: not written yet"
