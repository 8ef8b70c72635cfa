"""Two sessions at once: the second's work must wait until the first commits."""

import threading
from collections.abc import Callable

from sqlalchemy.orm import Session


def second_waits_for_first(first: Session, second: Session,
                           second_work: Callable[[Session], None], message: str) -> None:
    """Run and commit `second_work(second)` in a thread while `first` holds its transaction.

    Asserts that it has not finished half a second later, then commits `first` and asserts
    that the second finishes without error. Both sessions are closed afterwards.
    """
    finished, errors = threading.Event(), []

    def run() -> None:
        try:
            second_work(second)
            second.commit()
            finished.set()
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(repr(exc))

    try:
        thread = threading.Thread(target=run)
        thread.start()
        assert not finished.wait(0.5), message
        first.commit()
        thread.join(20)
        assert errors == [] and finished.is_set()
    finally:
        first.close()
        second.close()
