"""PRICE_CURRENCY: the currency the customer page shows beside every price."""

import pytest

from config.settings import ConfigError, settings_from_env


def test_the_currency_is_australian_dollars_unless_set():
    assert settings_from_env({})["PRICE_CURRENCY"] == "AUD"
    assert settings_from_env({"PRICE_CURRENCY": ""})["PRICE_CURRENCY"] == "AUD"


def test_a_currency_code_is_taken_in_either_case():
    assert settings_from_env({"PRICE_CURRENCY": " nzd "})["PRICE_CURRENCY"] == "NZD"


@pytest.mark.parametrize("value", ["A$", "AUDX", "€", "<b>"])
def test_anything_but_a_three_letter_code_refuses_to_start(value):
    with pytest.raises(ConfigError, match="PRICE_CURRENCY must be a three-letter ISO 4217 code"):
        settings_from_env({"PRICE_CURRENCY": value})
