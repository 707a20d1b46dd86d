"""Job lifecycle arithmetic and the media finished jobs produce (pure, no server)."""

from __future__ import annotations

import io
import struct
import wave

import pytest

from mockserver.engines.jobs.audio import build_wav, track_seconds
from mockserver.engines.jobs.lifecycle import (
    COMPLETED,
    FAILED,
    IN_PROGRESS,
    QUEUED,
    JobPlan,
    JobState,
    advance,
    decide_outcome,
    state_at,
)
from mockserver.engines.jobs.mp4 import FRAMES, build_mp4, frame_size

_RANK = {QUEUED: 0, IN_PROGRESS: 1, COMPLETED: 2, FAILED: 2}


@pytest.mark.parametrize("outcome", [COMPLETED, FAILED])
def test_states_move_forward_and_end_once(outcome):
    plan = JobPlan(created_at=1000.0, run_seconds=10.0, outcome=outcome)
    seen = [state_at(plan, 1000.0 + step / 4) for step in range(0, 60)]
    assert seen[0] == JobState(QUEUED, 0)
    assert any(state.status == IN_PROGRESS and 0 < state.progress < 100 for state in seen)
    for before, after in zip(seen, seen[1:], strict=False):
        assert _RANK[after.status] >= _RANK[before.status]
        assert after.progress >= before.progress
    assert seen[-1].status == outcome
    assert seen[-1].progress == (100 if outcome == COMPLETED else seen[-1].progress)
    ends = {state.finished_at for state in seen if state.terminal}
    assert len(ends) == 1, "the finishing instant is fixed by the plan"


def test_zero_seconds_is_done_at_creation():
    assert state_at(JobPlan(5.0, 0.0), 5.0) == JobState(COMPLETED, 100, 5.0)
    assert state_at(JobPlan(5.0, 0.0, FAILED), 5.0).status == FAILED


def test_advance_never_regresses_and_terminal_sticks():
    later = JobState(IN_PROGRESS, 60)
    assert advance(later, JobState(QUEUED, 0)) == JobState(IN_PROGRESS, 60)
    done = JobState(COMPLETED, 100, 10.0)
    assert advance(done, JobState(IN_PROGRESS, 20)) is done
    assert advance(done, JobState(FAILED, 30, 12.0)) is done
    # a clock that jumps backwards cannot pull a job back either
    plan = JobPlan(0.0, 10.0)
    state = advance(None, state_at(plan, 8.0))
    assert advance(state, state_at(plan, 1.0)).progress == state.progress


def test_outcome_is_fixed_by_seed_and_forceable():
    drawn = [decide_outcome(seed, None, 0.5) for seed in range(200)]
    assert drawn == [decide_outcome(seed, None, 0.5) for seed in range(200)]
    assert 40 < drawn.count(FAILED) < 160
    assert all(decide_outcome(seed, None, 0.0) == COMPLETED for seed in range(50))
    assert decide_outcome(1, "failed", 0.0) == FAILED
    assert decide_outcome(1, " Completed ", 1.0) == COMPLETED
    assert decide_outcome(1, "bogus", 0.0) == COMPLETED


def _boxes(data: bytes) -> list[bytes]:
    kinds, offset = [], 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        kinds.append(kind)
        offset += size
    assert offset == len(data), "top-level boxes must tile the file exactly"
    return kinds


def test_mp4_is_a_real_clip():
    data = build_mp4(8, "1280x720", 42)
    assert data[4:8] == b"ftyp" and data[8:12] == b"isom"
    assert _boxes(data) == [b"ftyp", b"moov", b"mdat"]
    assert build_mp4(8, "1280x720", 42) == data
    assert build_mp4(8, "1280x720", 43) != data
    av = pytest.importorskip("av")
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.width, stream.height) == frame_size("1280x720") == (64, 32)
        assert container.duration / 1_000_000 == pytest.approx(8.0)
        frames = list(container.decode(video=0))
    assert len(frames) == FRAMES


def test_portrait_and_odd_sizes():
    assert frame_size("720x1280") == (32, 64)
    assert frame_size("nonsense") == (64, 32)
    assert frame_size("1x1") == (64, 64)


def test_wav_decodes_with_the_standard_library():
    data = build_wav(track_seconds(3), 7)
    with wave.open(io.BytesIO(data)) as reader:
        assert reader.getnchannels() == 1 and reader.getsampwidth() == 2
        assert reader.getnframes() / reader.getframerate() == pytest.approx(3.0)
        samples = reader.readframes(reader.getnframes())
    assert any(samples[i] for i in range(0, 2000)), "the track is not silence"
    assert track_seconds(None) == track_seconds(0) == 12.0
    assert track_seconds(3600) == 20.0
