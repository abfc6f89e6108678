"""Load and speed benchmarks and their data generators. Never imported by the apps."""
