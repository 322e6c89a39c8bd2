"""The log sink: secure values never leave it, chunks are numbered from 0 and batched."""

from __future__ import annotations

import threading

from stackworks.agent.client import AgentUnreachable
from stackworks.agent.logs import LogSink, Scrubber
from stackworks.domain.entities import FILTERED
from stackworks.wire.schemas import LogChunk
from support.processes import wait_until


class Collector:
    def __init__(self, fail: bool = False) -> None:
        self.chunks: list[LogChunk] = []
        self.fail = fail
        self.lock = threading.Lock()

    def __call__(self, chunk: LogChunk) -> None:
        if self.fail:
            raise AgentUnreachable("down")
        with self.lock:
            self.chunks.append(chunk)


def test_secure_values_are_filtered_from_every_line() -> None:
    scrub = Scrubber(["hunter2", "pw-hunter2-long", ""])
    assert scrub.line("DB=pw-hunter2-long and hunter2") == f"DB={FILTERED} and {FILTERED}"
    assert scrub.line("nothing secret") == "nothing secret"


def test_the_report_is_scrubbed_too() -> None:
    scrub = Scrubber(["s3cr3t"])
    report = {"resources": [{"diff": "+KEY=s3cr3t", "n": 1}], "error": None}
    assert scrub.json(report) == {
        "resources": [{"diff": f"+KEY={FILTERED}", "n": 1}],
        "error": None,
    }


def test_lines_are_scrubbed_before_they_are_sent() -> None:
    sent = Collector()
    sink = LogSink(sent, Scrubber(["topsecret"]), interval=0.05).start()
    sink("password is topsecret\nnext line")
    wait_until(lambda: sent.chunks, timeout=5, what="the timed send")
    sink.close()
    assert [c.lines for c in sent.chunks] == [[f"password is {FILTERED}", "next line"]]


def test_the_tail_is_handed_back_scrubbed_for_the_result_not_sent() -> None:
    sent = Collector()
    sink = LogSink(sent, Scrubber(["topsecret"]), interval=60).start()
    sink("password is topsecret\nnext line")
    tail = sink.close()
    assert sent.chunks == []
    assert tail == [LogChunk(seq=0, lines=[f"password is {FILTERED}", "next line"])]


def test_chunks_hold_at_most_100_lines_and_are_numbered_from_0() -> None:
    sent = Collector()
    sink = LogSink(sent, Scrubber([]), interval=60).start()
    for number in range(250):
        sink(f"line {number}")
    [tail] = sink.close()
    assert [c.seq for c in sent.chunks] == [0, 1]
    assert [len(c.lines) for c in sent.chunks] == [100, 100]
    assert (tail.seq, len(tail.lines), tail.lines[-1]) == (2, 50, "line 249")


def test_a_quiet_run_still_sends_within_the_interval() -> None:
    sent = Collector()
    sink = LogSink(sent, Scrubber([]), interval=0.05).start()
    sink("only line")
    wait_until(lambda: sent.chunks, timeout=5, what="the timed send")
    sink.close()
    assert sent.chunks[0] == LogChunk(seq=0, lines=["only line"])


def test_chunks_that_could_not_be_sent_are_handed_back_in_order() -> None:
    sink = LogSink(Collector(fail=True), Scrubber(["pw"]), max_lines=2, interval=60).start()
    for line in ["a", "b", "c pw"]:
        sink(line)
    unsent = sink.close()
    assert [(c.seq, c.lines) for c in unsent] == [(0, ["a", "b"]), (1, [f"c {FILTERED}"])]
