"""Threads for independent work: order kept, exceptions raised, one thread on request."""

import threading

import pytest

from dedupe.core.errors import InputError
from dedupe.core.parallel import THREADS_ENV, Background, run_all, thread_map, threads
from dedupe.validation import checks


def test_thread_map_keeps_input_order(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "3")
    assert thread_map(lambda x: x * x, range(20)) == [x * x for x in range(20)]
    assert thread_map(str, []) == []


def test_two_threads_run_two_calls_at_once(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "2")
    both = threading.Barrier(2, timeout=10)  # broken (an error) unless both wait together
    assert run_all(both.wait, both.wait) in ([0, 1], [1, 0])


def test_one_thread_runs_everything_in_the_caller(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "1")
    me = threading.get_ident()
    assert thread_map(lambda _: threading.get_ident(), range(4)) == [me] * 4
    assert Background(threading.get_ident).result() == me


def test_first_exception_in_input_order_is_raised(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "2")

    def fail(x):
        if x in (2, 3):
            raise KeyError(x)
        return x

    with pytest.raises(KeyError) as err:
        thread_map(fail, range(5))
    assert err.value.args == (2,)


@pytest.mark.parametrize("n", ["1", "2"])
def test_background_gives_the_value_or_the_exception(monkeypatch, n):
    monkeypatch.setenv(THREADS_ENV, n)
    assert Background(sum, [1, 2, 3]).result() == 6
    job = Background(int, "x")
    job.wait()  # never raises
    with pytest.raises(ValueError):
        job.result()


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_wrong_setting_is_an_input_error(monkeypatch, value):
    monkeypatch.setenv(THREADS_ENV, value)
    with pytest.raises(InputError, match=THREADS_ENV):
        threads()


def test_default_is_the_usable_cores(monkeypatch):
    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert threads() >= 1


def test_flattening_memo_is_per_thread():
    """A block ending in one thread leaves another thread's memo in place (the merge runs
    the checks in a thread while the main thread may validate)."""
    entered, left = threading.Event(), threading.Event()
    seen = {}

    def other():
        with checks.lists_flattened_once():
            entered.set()
            left.wait(10)
            seen["memo"] = checks._FLAT.memo

    worker = threading.Thread(target=other)
    worker.start()
    entered.wait(10)
    with checks.lists_flattened_once():
        pass  # this thread's block ends while the other's is open
    left.set()
    worker.join(10)
    assert seen["memo"] == {}
