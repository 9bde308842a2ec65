"""fakevault's benchmarks: ratios against a baseline measured side by side.

Run them with ``python -m benchmarks``.
"""
