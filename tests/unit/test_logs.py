"""core.logs: what a log line may not hold is masked, whatever logged it."""
import logging

from core.logs import MaskPersonalData, mask


def test_codes_and_numbers_are_masked_and_the_rest_kept():
    line = ('127.0.0.1 "GET /api/v1/petitions/k7m29qxd4htr8wpa/rating HTTP/1.1" 200 '
            "phone=+86 13812345678 id=11010519491231002X code K7M2-9QXD-4HTR-8WPA "
            "case JN20261125-000001 queue evt-intake-petition_submitted--routing.on_x "
            "at 2026-11-25T16:00:00.123456 took 0.123456")
    masked = mask(line)
    for secret in ("k7m29qxd4htr8wpa", "13812345678", "11010519491231002X",
                   "K7M2-9QXD-4HTR-8WPA"):
        assert secret not in masked
    assert "/api/v1/petitions/****/rating" in masked
    assert "138****5678" in masked and "1101**********002X" in masked
    for kept in ("JN20261125-000001", "evt-intake-petition_submitted--routing.on_x",
                 "2026-11-25T16:00:00.123456", "0.123456"):
        assert kept in masked


def test_every_broker_password_of_a_node_list_is_masked():
    line = ("Error connecting to broker at amqp://petition-notify:********@127.0.0.1:5701/p;"
            "amqp://petition-notify:3852b4c6c2e7b86a@127.0.0.1:5702/p;"
            "amqps://admin:s3cr:et@node3:5671/p")
    masked = mask(line)
    assert "3852b4c6c2e7b86a" not in masked and "s3cr" not in masked
    assert "amqp://petition-notify:********@127.0.0.1:5702/p" in masked


def test_the_filter_masks_arguments_and_tracebacks(caplog):
    logger = logging.getLogger("test.logs")
    logger.addFilter(MaskPersonalData())
    with caplog.at_level(logging.INFO, logger="test.logs"):
        logger.info("SMS to %s: 查询码%s", "13812345678", "K7M2-9QXD-4HTR-8WPA")
        try:
            raise ValueError("bad phone 13987654321")
        except ValueError:
            logger.exception("failed for %s", "11010519491231002X")
    text = caplog.text
    for secret in ("13812345678", "K7M2-9QXD-4HTR-8WPA", "13987654321", "11010519491231002X"):
        assert secret not in text
    assert "138****5678" in text and "139****4321" in text
