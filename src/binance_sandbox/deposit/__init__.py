"""Connect Deposit (connect-deposit-flow.txt): networks, deposit sessions, the user's
authorization in "the Binance App", `deposit_status_event` webhooks, polling, tx reports."""
