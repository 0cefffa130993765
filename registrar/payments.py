"""The mock card processor: test card numbers succeed, known decline numbers and others fail.

No money moves. A number must pass the Luhn check, then it is looked up in the test lists.
"""

from dataclasses import dataclass

# Numbers used by common processors' test modes; anything else is refused as not a test card.
APPROVED = {"4242424242424242", "4000056655665556", "5555555555554444", "378282246310005"}
DECLINED = {"4000000000000002": "the card was declined", "4000000000009995": "insufficient funds on the card"}


@dataclass(frozen=True)
class Authorisation:
    is_approved: bool
    last4: str
    reason: str = ""


def luhn_ok(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def authorise(card_number: str) -> Authorisation:
    """Answer whether the mock processor accepts a payment from `card_number`."""
    number = "".join(char for char in card_number if not char.isspace() and char != "-")
    last4 = number[-4:]
    if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_ok(number):
        return Authorisation(False, last4, f"card number: {card_number} is not a valid card number")
    if number in DECLINED:
        return Authorisation(False, last4, f"card ending {last4}: {DECLINED[number]}")
    if number not in APPROVED:
        return Authorisation(
            False, last4, f"card ending {last4}: only test cards are accepted, such as 4242 4242 4242 4242"
        )
    return Authorisation(True, last4)
