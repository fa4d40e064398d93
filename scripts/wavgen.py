"""Writes test recordings with the standard library only: 16-bit PCM WAV with tones where people "speak",
low noise where they do not, so the silences are known to the millisecond."""

import math
import random
import struct
import wave


def write_wav(path, segments, sample_rate=8000, noise_level=0.002, seed=7):
    """segments: list of (seconds, kind) with kind 'tone' or 'silence'; mono."""
    rng = random.Random(seed)
    with wave.open(path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        phase = 0.0
        for seconds, kind in segments:
            frames = bytearray()
            for _ in range(int(round(seconds * sample_rate))):
                sample = rng.uniform(-noise_level, noise_level)
                if kind == "tone":
                    sample += 0.4 * math.sin(phase)
                    phase += 2 * math.pi * 440 / sample_rate
                frames += struct.pack("<h", int(max(-1.0, min(1.0, sample)) * 32767))
            out.writeframes(bytes(frames))


def write_large_wav(path, total_bytes, sample_rate=8000):
    """A WAV of about total_bytes, written block by block (never held in memory)."""
    block = bytearray()
    rng = random.Random(11)
    for index in range(sample_rate):
        value = 0.3 * math.sin(2 * math.pi * 300 * index / sample_rate) + rng.uniform(-0.01, 0.01)
        block += struct.pack("<h", int(value * 32767))
    block = bytes(block)
    with wave.open(path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        written = 0
        while written < total_bytes:
            out.writeframes(block)
            written += len(block)
