"""The simulated chains: networks and their metadata, users' deposit addresses, transfers
that confirm on the sandbox clock and credit users, and withdrawals. Connect Deposit and the
Wallet API both stand on this, so a user's value is one thing seen through every family."""
