"""pytest's settings for Benchmarks/: `threadline` (-> ..) and `Suite/threadline` (-> ../..) are symlinks
to the repository for the Swift packages here; collecting through them would recurse without end."""

collect_ignore = ["threadline", "Suite"]
