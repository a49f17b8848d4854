"""E-mail addresses on the pages wrap before "@" and the domain's dots, never mid-word, and stay
escaped (issue 11: addresses broke mid-word in the participants list)."""

from __future__ import annotations

from resolutions.filters import email_breaks


def test_an_address_may_wrap_before_the_at_and_the_dots_of_its_domain() -> None:
    assert email_breaks("aigerim.nurlanova@demo.example.org") == (
        "aigerim.nurlanova<wbr>@demo<wbr>.example<wbr>.org"
    )


def test_what_the_user_typed_stays_text() -> None:
    assert email_breaks('<b>"x"@evil.example') == "&lt;b&gt;&#34;x&#34;<wbr>@evil<wbr>.example"
    assert email_breaks("<script>") == "&lt;script&gt;"
