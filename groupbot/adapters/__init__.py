"""Platform adapters: each translates at the edge and implements the Platform port."""
