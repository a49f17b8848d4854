"""Languages: the switch is remembered per user, dates follow the user's language."""

from __future__ import annotations

import re

from tests.objects.app import url_path


def _lang(html: str) -> str:
    return re.search(r'<html lang="([a-z]+)"', html)[1]


def test_language_switch_is_remembered_for_the_user(db, world, as_user):
    first = as_user(world.delegate)
    first.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    assert _lang(first.get(url_path("conferences.index")).get_data(as_text=True)) == "ru"
    answer = first.post(
        url_path("auth.set_language", code="en"),
        data={"next": url_path("conferences.home", conference_id=world.conference.id)},
    )
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/c/{world.conference.id}/")
    assert world.delegate.user.locale == "en"
    # Another device, whose browser prefers Russian, gets the user's choice.
    second = as_user(world.delegate)
    second.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    assert _lang(second.get(url_path("conferences.index")).get_data(as_text=True)) == "en"


def test_anonymous_choice_lives_in_the_session(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert _lang(client.get(url_path("auth.sign_in")).get_data(as_text=True)) == "en"
    client.post(url_path("auth.set_language", code="ru"))
    assert _lang(client.get(url_path("auth.sign_in")).get_data(as_text=True)) == "ru"


def test_unknown_language_is_not_found(client):
    assert client.post(url_path("auth.set_language", code="de")).status_code == 404


def test_dates_are_written_in_the_users_language(db, world, as_user):
    client = as_user(world.delegate)
    world.delegate.user.locale = "ru"
    db.session.commit()
    russian = client.get(url_path("conferences.home", conference_id=world.conference.id)).get_data(
        as_text=True
    )
    assert "30 ноября 2026" in russian
    world.delegate.user.locale = "en"
    db.session.commit()
    english = client.get(url_path("conferences.home", conference_id=world.conference.id)).get_data(
        as_text=True
    )
    assert "November 30, 2026" in english
    assert "ноября" not in english


def test_browser_language_is_used_before_any_choice(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
    assert _lang(client.get(url_path("auth.sign_in")).get_data(as_text=True)) == "en"
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    other = client.application.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    assert _lang(other.get(url_path("auth.sign_in")).get_data(as_text=True)) == "ru"
