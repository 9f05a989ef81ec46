"""The official Binance Pay connector from PyPI, unmodified, with only its base_url pointed at
the sandbox: every method it has succeeds, and its errors come back as Binance sends them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from binance.pay.merchant import Merchant as Connector
from pay_support import PayReceiver, PaySigned, trade_no


def test_every_connector_method(
    sandbox: Any, pay: PaySigned, receiver: PayReceiver, payer: str
) -> None:
    merchant = pay.merchant
    sandbox.credit(merchant.merchant_id, "USDT", "50")
    client = Connector(merchant.api_key, merchant.api_secret, base_url=sandbox.url)
    number = trade_no()
    created = client.new_order(
        {
            "env": {"terminalType": "WEB"},
            "merchantTradeNo": number,
            "orderAmount": 25.17,
            "currency": "USDT",
            "goods": {
                "goodsType": "01",
                "goodsCategory": "D000",
                "referenceGoodsId": "7876763A3B",
                "goodsName": "Ice Cream",
                "goodsDetail": "Greentea ice cream cone",
            },
        }
    )
    assert created["status"] == "SUCCESS" and created["code"] == "000000"
    prepay_id = created["data"]["prepayId"]
    assert client.get_order(merchantTradeNo=number)["data"]["prepayId"] == prepay_id
    sandbox.admin.post(f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": payer})

    refund = client.refund_order(f"ref{number}", prepay_id, 5.5, refundReason="one scoop")
    assert refund["status"] == "SUCCESS" and refund["data"]["refundAmount"] == "5.5"
    assert client.get_refund_order(f"ref{number}")["data"]["refundRequestId"] == f"ref{number}"

    balance = client.get_wallet_balance("FUNDING_WALLET", "USDT")
    assert balance["status"] == "SUCCESS" and balance["data"]["asset"] == "USDT"

    transfer = client.transfer_fund(f"tr{number[:20]}", "USDT", "1", "TO_MAIN")
    assert transfer["data"] == {
        "tranId": f"tr{number[:20]}",
        "status": "SUCCESS",
        "currency": "USDT",
        "amount": "1",
        "transferType": "TO_MAIN",
    }
    assert client.get_transfer_result(f"tr{number[:20]}")["data"]["status"] == "SUCCESS"

    sub = client.new_sub_merchant(
        f"Kiosk {number[:8]}",
        4,
        "5812",
        "SG",
        companyName="Kiosk Pte",
        registrationNumber="R1",
        registrationCountry="SG",
        registrationAddress="1 Road",
        incorporationDate=1_600_000_000_000,
    )
    assert isinstance(sub["data"]["subMerchantId"], int)

    receiver_user = sandbox.create_user()
    payout = client.batch_payout(
        f"po{number[:20]}",
        "weekly",
        "USDT",
        3.0,
        1,
        [
            {
                "merchantSendId": "s1",
                "receiveType": "BINANCE_ID",
                "receiver": receiver_user,
                "transferAmount": 3.0,
                "transferMethod": "FUNDING_WALLET",
            }
        ],
    )
    assert payout["data"] == {"requestId": f"po{number[:20]}", "status": "ACCEPTED"}
    sandbox.settle()
    done = client.get_payout(f"po{number[:20]}")
    assert done["data"]["batchStatus"] == "SUCCESS"
    assert done["data"]["transferDetailList"][0]["status"] == "SUCCESS"
    assert sandbox.balance(receiver_user, "USDT", "FUNDING") == Decimal(3)

    closable = client.new_order(
        {
            "env": {"terminalType": "APP"},
            "merchantTradeNo": trade_no(),
            "orderAmount": 1,
            "currency": "USDT",
            "goods": {
                "goodsType": "02",
                "goodsCategory": "6000",
                "referenceGoodsId": "g",
                "goodsName": "Coins",
            },
        }
    )
    assert client.cancel_order(prepayId=closable["data"]["prepayId"]) == {
        "status": "SUCCESS",
        "code": "000000",
        "data": True,
        "errorMessage": "",
    }
    sandbox.audit()


def test_connector_errors_come_back_as_binance_sends_them(sandbox: Any, pay: PaySigned) -> None:
    client = Connector(pay.merchant.api_key, pay.merchant.api_secret, base_url=sandbox.url)
    assert client.get_order(prepayId="1") == {
        "status": "FAIL",
        "code": "400202",
        "data": None,
        "errorMessage": "Order not found.",
    }
    wrong = Connector(pay.merchant.api_key, "not-the-secret", base_url=sandbox.url)
    assert wrong.get_order(prepayId="1") == {
        "status": "FAIL",
        "code": "400002",
        "data": None,
        "errorMessage": "Incorrect signature result.",
    }
    unknown = Connector("nobody", "secret", base_url=sandbox.url)
    assert unknown.get_order(prepayId="1")["code"] == "400004"
