import pytest

from registrar import names


@pytest.mark.parametrize(
    ("text", "ascii_name", "unicode_name"),
    [
        ("example.com", "example.com", "example.com"),
        ("Example.COM.", "example.com", "example.com"),
        ("  a-b.io ", "a-b.io", "a-b.io"),
        ("bücher.com", "xn--bcher-kva.com", "bücher.com"),
        ("xn--bcher-kva.com", "xn--bcher-kva.com", "bücher.com"),
        ("BÜCHER.com", "xn--bcher-kva.com", "bücher.com"),
        ("한국.dev", "xn--3e0b707e.dev", "한국.dev"),
        ("1password.app", "1password.app", "1password.app"),
        ("a" * 63 + ".com", "a" * 63 + ".com", "a" * 63 + ".com"),
    ],
)
def test_registrable_names_are_stored_as_a_labels(text, ascii_name, unicode_name):
    name = names.parse_domain_name(text)
    assert (name.ascii, name.unicode) == (ascii_name, unicode_name)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter a domain name."),
        (
            "ex_ample.com",
            "ex_ample.com: the label ex_ample contains '_', which is not a letter, digit or hyphen",
        ),
        ("-example.com", "-example.com: the label -example starts or ends with a hyphen"),
        ("example-.com", "example-.com: the label example- starts or ends with a hyphen"),
        ("ab--cd.com", "ab--cd.com: the label ab--cd has hyphens in the third and fourth positions"),
        ("xn--zz.com", "xn--zz.com: the label xn--zz is not a valid punycode (xn--) label"),
        (
            "exa mple.com",
            "exa mple.com: the label exa mple contains ' ', which is not a letter, digit or hyphen",
        ),
        (
            "example..com",
            "example..com: a name cannot have an empty label (two dots in a row, or a leading dot)",
        ),
        ("a" * 64 + ".com", f"{'a' * 64}.com: the label {'a' * 64} is 64 octets long; the limit is 63"),
        ("com", "com: a domain to register is one label and a top-level domain, such as example.com"),
        (
            "www.example.com",
            "www.example.com: a domain to register is one label and a top-level domain, such as example.com",
        ),
        ("example.123", "example.123: a top-level domain cannot be all digits"),
    ],
)
def test_bad_names_get_a_clear_reason(text, message):
    with pytest.raises(names.NameProblem) as problem:
        names.parse_domain_name(text)
    assert problem.value.message == message


def test_a_name_longer_than_253_octets_is_refused():
    long_name = ".".join(["a" * 63] * 4)  # 255 octets
    with pytest.raises(names.NameProblem) as problem:
        names.parse_host_name(long_name)
    assert problem.value.message.endswith("the name is 255 octets long; the limit is 253")


def test_a_disallowed_unicode_code_point_is_refused():
    with pytest.raises(names.NameProblem) as problem:
        names.parse_domain_name("a☃\u200d.com")
    assert "is not a valid internationalised label" in problem.value.message


@pytest.mark.parametrize(
    ("name", "parent", "expected"),
    [
        ("ns1.example.com", "example.com", True),
        ("example.com", "example.com", True),
        ("badexample.com", "example.com", False),
        ("ns1.example.net", "example.com", False),
    ],
)
def test_is_subdomain(name, parent, expected):
    assert names.is_subdomain(name, parent) is expected
