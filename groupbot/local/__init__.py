"""Local tools on the real engine: classify, replay, demo, console, explain."""
