from binance_sandbox.cli import main

main()
