"""The bot against the database: transactions, decisions turned into actions, timers, delivery."""
