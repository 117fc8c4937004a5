"""Login throttling and the auth file: a growing wait after failed passwords per user name and per client
address, a lockout, one log line per failure, never the password; a byte-order mark in the auth file.

The policy is tested on its own with a fake clock (its waits are minutes long); the real server is tested
with short waits set through the environment, over real HTTP (client addresses given as a local reverse
proxy gives them, in ``X-Forwarded-For``: uvicorn trusts that header from 127.0.0.1 only).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from regqa.app.throttle import LoginThrottle, Policy

from .app_helpers import free_port

SECRET = "s3cret-Pw"


class FakeClock:
    """A fake monotonic clock for the pure policy: the real waits are minutes long."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------- the policy


def test_waits_grow_after_each_failure_and_the_name_is_locked_out():
    clock = FakeClock()
    t = LoginThrottle(Policy(base_delay=1, max_delay=30, lockout_after=6, lockout=900))
    waits = []
    for _ in range(5):
        assert not t.verdict("zhang", "10.0.0.1", clock()).locked
        clock.now += t.verdict("zhang", "10.0.0.1", clock()).wait  # the gate holds the attempt this long
        waits.append(t.failed("zhang", "10.0.0.1", clock()).wait)
    assert waits == [1, 2, 4, 8, 16]
    locked = t.failed("zhang", "10.0.0.1", clock())
    assert locked.locked and locked.key == "user" and locked.wait == 900
    assert t.verdict("zhang", "10.0.0.2", clock()).locked  # from any address
    assert not t.verdict("li", "10.0.0.3", clock()).locked and t.verdict("li", "10.0.0.3", clock()).wait == 0
    clock.now += 901
    assert t.verdict("zhang", "10.0.0.2", clock()) == t.verdict(
        "nobody", "10.0.0.9", clock()
    )  # the lock is over, the count starts afresh
    assert t.failed("zhang", "10.0.0.2", clock()).wait == 1


def test_an_address_spraying_names_is_slowed_then_locked_and_success_does_not_reset_it():
    clock = FakeClock()
    t = LoginThrottle(Policy(base_delay=1, address_free=3, address_lockout_after=8, lockout=600))
    waits = [t.failed(f"user{i}", "10.0.0.5", clock()).wait for i in range(7)]
    assert waits == [
        1,
        1,
        1,
        1,
        2,
        4,
        8,
    ]  # each name's first failure costs a second; the address's count adds up after 3
    t.succeeded("li", "10.0.0.5", clock())  # a known account does not clear the address's count
    last = t.failed("user7", "10.0.0.5", clock())
    assert last.locked and last.key == "address"
    assert t.verdict("li", "10.0.0.5", clock()).locked and not t.verdict("li", "10.0.0.6", clock()).locked


def test_a_success_clears_the_name_and_old_failures_are_forgotten():
    clock = FakeClock()
    t = LoginThrottle(Policy(base_delay=1, window=900, lockout_after=3))
    t.failed("zhang", "a", clock())
    t.succeeded("zhang", "a", clock())
    assert t.failures("user", "zhang") == 0
    t.failed("zhang", "a", clock())
    clock.now += 1000
    assert t.failed("zhang", "a", clock()).wait == 1  # the failure before the quiet window no longer counts


def test_memory_stays_bounded_under_a_flood_of_names():
    clock = FakeClock()
    t = LoginThrottle(Policy(max_keys=1000))
    for i in range(5000):
        clock.now += 0.01
        t.failed(f"user{i}", f"10.0.{i // 250}.{i % 250}", clock())
    assert len(t._records) <= 1000


def test_policy_from_the_environment():
    p = Policy.from_env(
        {
            "REGQA_LOGIN_DELAY": "0.5",
            "REGQA_LOGIN_LOCKOUT": "4",
            "REGQA_LOGIN_ADDRESS_LOCKOUT": "9",
            "REGQA_LOGIN_LOCKOUT_MINUTES": "2",
        }
    )
    assert (p.base_delay, p.lockout_after, p.address_lockout_after, p.lockout) == (0.5, 4, 9, 120)
    assert Policy.from_env({"REGQA_LOGIN_DELAY": "abc", "REGQA_LOGIN_LOCKOUT": "-1"}) == Policy()


# ---------------------------------------------------------------- the real server


@pytest.fixture()
def server(services, monkeypatch):
    """The real app with two users, short waits: 1 s, 2 s, then a lockout at the 3rd failure of a name."""
    from regqa.app.server import launch

    monkeypatch.setenv("REGQA_LOGIN_DELAY", "1")
    monkeypatch.setenv("REGQA_LOGIN_LOCKOUT", "3")
    monkeypatch.setenv("REGQA_LOGIN_ADDRESS_LOCKOUT", "6")
    port = free_port()
    demo = launch(services, port=port, auth=[("zhang", SECRET), ("li", "li-" + SECRET)], block=False, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        demo.close()


def login(base: str, user: str, password: str, address: str) -> httpx.Response:
    return httpx.post(
        f"{base}/login",
        data={"username": user, "password": password},
        headers={"X-Forwarded-For": address},
        timeout=120,
    )


def test_the_server_holds_each_retry_longer_then_locks_the_name_and_logs_each_failure(server, caplog):
    with caplog.at_level("WARNING", logger="regqa.app"):
        first = login(server, "zhang", "wrong1", "10.0.0.1")
        second = login(server, "zhang", "wrong2", "10.0.0.1")  # held 1 s by the server, then tried
        third = login(server, "zhang", "wrong3", "10.0.0.1")  # held 2 s, then tried: the name is locked
        right = login(server, "zhang", SECRET, "10.0.0.1")
        elsewhere = login(server, "zhang", SECRET, "10.0.0.2")
        other_user = login(server, "li", "li-" + SECRET, "10.0.0.1")
    assert [r.status_code for r in (first, second, third)] == [400, 400, 400]
    assert [first.headers["retry-after"], second.headers["retry-after"]] == ["1", "2"]  # the wait grows
    assert int(third.headers["retry-after"]) > 60
    assert right.status_code == 429 and "已暂时锁定" in right.json()["detail"] and "该用户名" in right.json()["detail"]
    assert elsewhere.status_code == 429  # per user name, from any address
    assert other_user.status_code == 200  # another name from the same address still logs in
    failures = [r.getMessage() for r in caplog.records if r.getMessage().startswith("登录失败")]
    assert len(failures) == 3 and all("zhang" in m and "10.0.0.1" in m for m in failures)
    assert "已锁定" in failures[-1] and "须等待 2 秒" in failures[1]
    assert not any("wrong" in r.getMessage() or SECRET in r.getMessage() for r in caplog.records)  # never a password


def test_an_address_trying_many_names_is_locked_and_a_flood_is_refused_without_work(server, caplog):
    with caplog.at_level("WARNING", logger="regqa.app"):
        statuses = [login(server, f"guess{i}", "x", "10.0.0.9").status_code for i in range(6)]
        locked = login(server, "li", "li-" + SECRET, "10.0.0.9")
        other = login(server, "li", "li-" + SECRET, "10.0.0.10")

        async def flood():
            async with httpx.AsyncClient(timeout=120) as client:
                return await asyncio.gather(
                    *(
                        client.post(
                            f"{server}/login",
                            data={"username": "li", "password": "x"},
                            headers={"X-Forwarded-For": "10.0.0.9"},
                        )
                        for _ in range(100)
                    )
                )

        flood_codes = [r.status_code for r in asyncio.run(flood())]
    assert statuses == [400] * 6
    assert locked.status_code == 429 and "该地址" in locked.json()["detail"]
    assert other.status_code == 200
    assert flood_codes == [429] * 100  # 100 attempts in a burst: none reaches the password check
    lock_lines = [r.getMessage() for r in caplog.records if "已锁定" in r.getMessage()]
    assert len(lock_lines) == 1  # the lock is logged once, not once per refused attempt


def test_a_byte_order_mark_in_the_auth_file_is_dropped_and_invisible_characters_are_named(tmp_path, services):
    from gradio_client import Client

    from regqa.app.server import ConfigError, launch, parse_settings

    auth = tmp_path / "users.txt"
    auth.write_bytes("\ufeffzhang:123456\r\nli:abc\r\n".encode("utf-8"))  # as Windows Notepad saves it
    settings = parse_settings(["--auth-file", str(auth)], env={})
    assert settings.auth == (("zhang", "123456"), ("li", "abc"))
    port = free_port()
    demo = launch(services, port=port, auth=settings.auth, block=False, quiet=True)
    try:
        Client(f"http://127.0.0.1:{port}/", auth=("zhang", "123456"), verbose=False)  # the first user can log in
    finally:
        demo.close()
    auth.write_text("zhang:123456\nwang\u200b:pw\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="第 2 行.*看不见的字符"):
        parse_settings(["--auth-file", str(auth)], env={})
