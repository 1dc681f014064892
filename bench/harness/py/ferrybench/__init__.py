"""ferry's benchmark harness: runs suites of side-by-side measurements (ferry against its peers)
through ferry-bench, and writes results.jsonl, env.json, report.md and plots. See
docs/BENCHMARKS.md; scripts/bench is the entry point."""
