"""History and backtest tests: the export builders in exportkit.py are importable from here."""
