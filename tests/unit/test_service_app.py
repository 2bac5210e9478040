"""ServiceApp decides which hooks and views are coroutine functions as Flask does."""

import functools

import pytest
from flask import Flask

from src.http import ServiceApp


def plain_hook():
    return "answered"


async def coroutine_hook():
    return "answered"


class Hooks:
    def plain(self):
        return "answered"

    async def coroutine(self):
        return "answered"

    def __call__(self):
        return "answered"


class MarkedApp(ServiceApp):
    def async_to_sync(self, func):
        return ("wrapped", func)


CALLABLES = {
    "function": plain_hook,
    "lambda": lambda: "answered",
    "method": Hooks().plain,
    "partial": functools.partial(plain_hook),
    "callable object": Hooks(),
    "coroutine function": coroutine_hook,
    "coroutine method": Hooks().coroutine,
    "partial of a coroutine function": functools.partial(coroutine_hook),
}


@pytest.mark.parametrize("name", list(CALLABLES))
def test_ensure_sync_gives_what_flasks_gives(name):
    func = CALLABLES[name]

    class MarkedFlask(Flask):
        def async_to_sync(self, func):
            return ("wrapped", func)

    assert MarkedApp(__name__).ensure_sync(func) == MarkedFlask(__name__).ensure_sync(func)


def test_a_coroutine_function_is_wrapped_and_a_plain_one_is_not():
    app = MarkedApp(__name__)
    assert app.ensure_sync(coroutine_hook) == ("wrapped", coroutine_hook)
    assert app.ensure_sync(plain_hook) is plain_hook
