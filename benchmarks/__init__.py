"""fakevault's benchmarks: ratios against a baseline measured side by side (``python -m benchmarks``)."""
