"""What groupbot would have done over a community's real history, as figures and a report."""
