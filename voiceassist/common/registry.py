"""Named implementations chosen by a setting (telephony providers, payment gateways, SMS providers): one shape.

A ``Registry`` is a dict of name → class (so ``name in REGISTRY`` and tests' ``monkeypatch.setitem`` work), and
``instance(name)`` makes a fresh object per use, so settings are read when it is used. An unknown name is a
configuration mistake staff must see: an ``ApplicationError`` naming the known ones.
"""

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from .exceptions import ApplicationError

T = TypeVar("T")


class Registry(dict[str, Callable[[], T]], Generic[T]):
    def __init__(self, classes: Iterable[type[T]], *, what: str, code: str, detail: str) -> None:
        super().__init__((cls.name, cls) for cls in classes)
        self.what, self.code, self.detail = what, code, detail

    def instance(self, name: str) -> T:
        """A new instance of the implementation called ``name``."""
        factory = self.get(name)
        if factory is None:
            raise ApplicationError(
                f"Unknown {self.what} {name!r}: use one of {', '.join(self)}.",
                code=self.code,
                details={self.detail: name, "known": list(self)},
            )
        return factory()
