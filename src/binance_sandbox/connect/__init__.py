"""What Connect Prime and Connect Deposit share: request authentication (guide §4), the
`{success, code, data, message}` envelope (guide §11), and the error codes."""
