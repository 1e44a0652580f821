"""Test runs tell what a request cost (the benchmarks read it): server time and SQL statements."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_page_says_its_server_time_and_how_many_sql_statements_it_sent(client: Client) -> None:
    response = client.get("/en/procedures/residents-parking-card/")
    assert response.status_code == 200
    assert response["Server-Timing"].startswith("app;dur=")
    assert float(response["Server-Timing"].split("dur=")[1]) > 0
    assert int(response["X-SQL-Statements"]) >= 1  # the procedure is read from the database


def test_a_static_file_sends_no_sql(client: Client) -> None:
    response = client.get("/static/loket/loket.css")
    assert response.status_code == 200
    assert response["X-SQL-Statements"] == "0"
