"""Hosted pages a person opens in a browser: the Binance Pay checkout (with its QR code).

Binance hosts the checkout behind `checkoutUrl`, `qrcodeLink`, `deeplink` and `universalUrl`
(pay-create-order-v2.txt, response fields); the sandbox serves them itself so that a merchant's
redirect flow can be tried end to end, with a sandbox user in the payer's place.
"""
