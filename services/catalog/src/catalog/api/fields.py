"""Field types of catalog's request bodies: trimmed text that PostgreSQL can store, money, rates, positions."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints


def storable(value: str) -> str:
    """PostgreSQL text holds neither NUL nor lone surrogates: refuse them here (422), not there (500)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), AfterValidator(storable)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(storable)]
ShortName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), AfterValidator(storable)
]
Description = Annotated[str, StringConstraints(max_length=2000), AfterValidator(storable)]
Note = Annotated[str, StringConstraints(max_length=1000), AfterValidator(storable)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(storable)]
Route = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(storable)]
Barcode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z\-]{1,64}$")]
Unit = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20), AfterValidator(storable)]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2, allow_inf_nan=False)]
TaxRate = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=1_000_000_000)]
Status = Literal["active", "inactive"]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Radius = Annotated[int, Field(gt=0, le=100_000)]
Days = Annotated[int, Field(ge=0, le=3650)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9+()\-. ]{3,40}$")]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    AfterValidator(storable),
]
Currency = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{3}$")]
CustomerType = Literal["retail", "wholesale", "supermarket", "kiosk", "pharmacy", "horeca", "other"]
SearchText = Annotated[str, StringConstraints(max_length=100), AfterValidator(storable)]
