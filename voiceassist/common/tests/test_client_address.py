import pytest
from django.test import RequestFactory

from voiceassist.common.client_address import client_ip_address

factory = RequestFactory()


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "10.0.0.9"),
        (0, "203.0.113.7", "10.0.0.9"),  # no proxy of ours: the header is the client's own words
        (1, "", "10.0.0.9"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # what our proxy appended, not what the client sent
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.5", "203.0.113.7"),
        (3, "203.0.113.7", "203.0.113.7"),
        (1, "not-an-address", "10.0.0.9"),
    ],
)
def test_the_client_address_believes_only_our_own_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = factory.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip_address(request) == expected
