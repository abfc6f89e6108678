"""Test day: a school sits the full-length test at once, driven by Locust (see bench/README.md)."""
