"""Election locks the tests hand out: one shared lock, one handle per replica, and a way to
end a handle's session as the database does when its replica dies or its connection drops."""

from __future__ import annotations


class SharedLock:
    """One advisory lock as the database would keep it: one holder at a time."""

    def __init__(self) -> None:
        self.holder: HandedLock | None = None


class HandedLock:
    """One replica's handle on the shared lock; `cut()` ends its session as the database would
    when the replica dies or its connection drops."""

    def __init__(self, shared: SharedLock) -> None:
        self.shared = shared
        self.checks = 0

    def try_acquire(self) -> bool:
        if self.shared.holder is None:
            self.shared.holder = self
        return self.shared.holder is self

    def still_held(self) -> bool:
        self.checks += 1
        return self.shared.holder is self

    def release(self) -> None:
        if self.shared.holder is self:
            self.shared.holder = None

    def cut(self) -> None:
        self.release()
