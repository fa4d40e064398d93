#!/usr/bin/env python3
"""Builds two-party telephone dialogues from recorded human speech, with the truth of where each party speaks.

The speech is Debian's professionally recorded telephone prompts (asterisk-core-sounds-{en,fr,es}-wav: 8 kHz,
16-bit, two speakers in three languages). Each dialogue places prompts on the two parties' lines with gaps of
0.5-8 s and overlaps (a party cutting in on the other), over band-limited line noise that is steady, swings
by a few dB like a room or a breathing comfort noise, or carries clicks, and is written in stereo (one party
per channel) or mono (both mixed), as PCM, A-law, µ-law and MP3.

The truth edge of an utterance is its first or last 10 ms frame whose energy is above the channel's noise and
within 35 dB of the utterance's loudest frame, measured on the prompt alone, before it is mixed. A prompt
with a pause of 400 ms or more inside is that many utterances; shorter pauses stay inside the utterance and
must not become silences. A pause (between utterances or parties) within 100 ms, the edge tolerance, of the
500 ms the analysis reports, so 400 to 600 ms, is listed as optional: reporting it or not is no error.

What the corpus leaves out, so its figures are read for what they are: prompts whose own recording noise is
within 6 dB of the line noise are not used (the truth would count that noise as speech), nor prompts with under
250 ms of speech; the own-noise rule removes most Spanish prompts over the quieter lines. The prompts are
studio edits, so their onsets are sharp and the speech-start errors are small by construction. Talkers are
loud: prompt gains of -8 to 0 dB put utterance peaks at about -10 to -25 dBFS (a quieter talker, peaks near
-40 dBFS, scores lower). Both voices are female, and English and Spanish are the same speaker. There is no
echo or crosstalk between the channels, no comfort noise switching on and off and no hum.

Usage: speech_fixtures.py OUTPUT_DIR [SEED]   (SEED, default 0, draws another corpus of the same design; writes OUTPUT_DIR/manifest.json and the audio files; standard library,
sox and lame only, so it runs wherever `make test` runs.)
"""

import array
import json
import math
import os
import random
import subprocess
import sys
import wave

SOUNDS = "/usr/share/asterisk/sounds"
VOICES = {"en": "en_US_f_Allison", "fr": "fr_CA_f_June", "es": "es_MX_f_Allison"}
RATE = 8000
FRAME = 80  # samples in a 10 ms analysis frame
TRUTH_RANGE_DB = 35.0
MIN_SILENCE_FRAMES = 50  # the analysis' shortest reported silence, 500 ms
TOLERANCE_FRAMES = 10  # the edge tolerance the accuracy is measured with, 100 ms
# Not speech: tones, and a recording of monkeys.
NOT_SPEECH = {"beep.wav", "beeperr.wav", "tt-monkeys.wav"}
MAX_PROMPT_SECONDS = 8
# A prompt's own recording noise must sit this far under the line noise, or the truth would count it as speech.
OWN_NOISE_HEADROOM_DB = 6.0
MIN_SPEECH_FRAMES = 25
ENCODINGS = ("pcm", "alaw", "ulaw", "mp3")

# (name, layout, languages of party 0 and 1, noise dBFS of each line, kind of noise, seed). Mono mixes both
# parties into one channel over the first line's noise. The steady ones are the line noise the target is set
# for; the swinging and clicking ones are a harder set, reported on its own.
DIALOGUES = [
    ("en-fr-quiet", "stereo", ("en", "fr"), (-62.0, -58.0), "steady", 1),
    ("fr-es-noisy", "stereo", ("fr", "es"), (-50.0, -46.0), "steady", 2),
    ("es-en-mixed", "stereo", ("es", "en"), (-47.0, -60.0), "steady", 3),
    ("en-es-mid", "stereo", ("en", "es"), (-54.0, -48.0), "steady", 4),
    ("fr-en-quiet", "mono", ("fr", "en"), (-60.0,), "steady", 5),
    ("en-es-noisy", "mono", ("en", "es"), (-47.0,), "steady", 6),
    ("es-fr-mid", "mono", ("es", "fr"), (-52.0,), "steady", 7),
    ("en-en-mid", "mono", ("en", "en"), (-55.0,), "steady", 8),
    ("es-en-swinging", "stereo", ("es", "en"), (-47.0, -60.0), "swinging", 9),
    ("fr-fr-swinging", "stereo", ("fr", "fr"), (-52.0, -56.0), "swinging", 10),
    ("en-es-swinging", "mono", ("en", "es"), (-47.0,), "swinging", 11),
    ("fr-en-swinging", "mono", ("fr", "en"), (-58.0,), "swinging", 12),
    ("en-es-clicks", "stereo", ("en", "es"), (-54.0, -48.0), "clicks", 13),
    ("es-fr-clicks", "stereo", ("es", "fr"), (-50.0, -58.0), "clicks", 14),
    ("es-fr-clicks-mono", "mono", ("es", "fr"), (-52.0,), "clicks", 15),
    ("en-en-clicks", "mono", ("en", "en"), (-60.0,), "clicks", 16),
]
LINES_PER_DIALOGUE = 16


def read_prompt(path):
    with wave.open(path) as source:
        if source.getframerate() != RATE or source.getnchannels() != 1 or source.getsampwidth() != 2:
            return None
        samples = array.array("h", source.readframes(source.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return [s / 32768.0 for s in samples]


def frame_energies(samples):
    energies = []
    for start in range(0, len(samples) - FRAME + 1, FRAME):
        mean_square = sum(s * s for s in samples[start:start + FRAME]) / FRAME
        energies.append(10 * math.log10(mean_square) if mean_square > 1e-12 else -120.0)
    return energies


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


class Prompt:
    def __init__(self, path, samples):
        self.path = path
        self.samples = samples
        self.energies = frame_energies(samples)
        self.own_noise = percentile(self.energies, 0.05)

    def utterances(self, gain_db, noise_db):
        """The prompt's utterances over this noise, as (first, one past the last) frame under the truth definition:
        split where it pauses for 400 ms or more (a pause from 400 to 600 ms is then an optional silence, one of
        600 ms or more a true one when the other party is quiet), each edge measured against that utterance's
        own loudest frame.
        None when the prompt cannot be used over this noise."""
        if self.own_noise + gain_db > noise_db - OWN_NOISE_HEADROOM_DB:
            return None
        level = [e + gain_db for e in self.energies]

        def audible(frames, loudest):
            return [i for i in frames if level[i] > noise_db and level[i] >= loudest - TRUTH_RANGE_DB]

        heard = audible(range(len(level)), max(level))
        if len(heard) < MIN_SPEECH_FRAMES:
            return None
        pieces, start = [], heard[0]
        for previous, index in zip(heard, heard[1:]):
            if index - previous - 1 >= MIN_SILENCE_FRAMES - TOLERANCE_FRAMES:
                pieces.append((start, previous + 1))
                start = index
        pieces.append((start, heard[-1] + 1))
        utterances = []
        for first, end in pieces:
            own = audible(range(first, end), max(level[first:end]))
            utterances.append((own[0], own[-1] + 1))
        return utterances


def load_voice(language):
    directory = os.path.join(SOUNDS, VOICES[language])
    if not os.path.isdir(directory):
        sys.exit(f"speech_fixtures: {directory} is missing (apt install asterisk-core-sounds-{language}-wav)")
    prompts = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".wav") and name not in NOT_SPEECH:
            samples = read_prompt(os.path.join(directory, name))
            if samples and MIN_SPEECH_FRAMES * FRAME <= len(samples) <= MAX_PROMPT_SECONDS * RATE:
                prompts.append(Prompt(os.path.join(VOICES[language], name), samples))
    return prompts


def band_limited_noise(frames, level_db, kind, seed, work):
    """Line noise: white noise through the telephone band (sox), scaled to `level_db` dBFS RMS. `swinging`
    varies its level as a room or a breathing comfort noise does (a random walk of about 2.5 dB standard
    deviation, changing over 100-300 ms); `clicks` adds a 2-20 ms broadband click, decaying, 25-35 dB over it
    every few seconds."""
    rng = random.Random(seed)
    raw = [rng.gauss(0.0, 0.1) for _ in range(frames * FRAME + 2 * RATE)]
    if kind == "swinging":
        gain_db = 0.0
        for start in range(0, len(raw), FRAME):
            gain_db = 0.9 * gain_db + rng.gauss(0.0, 1.1)
            scale = 10 ** (gain_db / 20)
            for index in range(start, min(start + FRAME, len(raw))):
                raw[index] *= scale
    source = os.path.join(work, f"noise-{seed}-raw.wav")
    banded = os.path.join(work, f"noise-{seed}.wav")
    write_wav(source, [raw])
    subprocess.run(["sox", source, "-b", "32", "-e", "floating-point", banded, "sinc", "300-3400"], check=True)
    samples = read_float_wav(banded)[RATE:RATE + frames * FRAME]  # skip the filter's run-in
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    scale = 10 ** (level_db / 20) / rms
    samples = [s * scale for s in samples]
    if kind == "clicks":
        position = 0
        while True:
            position += int(rng.uniform(2.0, 6.0) * RATE)
            length = rng.randint(16, 160)
            if position + length >= len(samples):
                break
            amplitude = 10 ** ((level_db + rng.uniform(25.0, 35.0)) / 20) * 1.4
            for offset in range(length):
                samples[position + offset] += amplitude * math.exp(-offset / (length / 3)) * rng.gauss(0.0, 1.0)
    return samples


def read_float_wav(path):
    """32-bit float mono WAV written by sox, read without the wave module (which handles only PCM)."""
    data = subprocess.run(["sox", path, "-t", "f32", "-"], check=True, capture_output=True).stdout
    samples = array.array("f", data)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tolist()


def write_wav(path, channels):
    count = len(channels[0])
    interleaved = array.array("h", bytes(2 * count * len(channels)))
    for index, channel in enumerate(channels):
        for position, sample in enumerate(channel):
            interleaved[position * len(channels) + index] = max(-32768, min(32767, int(round(sample * 32767))))
    if sys.byteorder == "big":
        interleaved.byteswap()
    with wave.open(path, "wb") as target:
        target.setnchannels(len(channels))
        target.setsampwidth(2)
        target.setframerate(RATE)
        target.writeframes(interleaved.tobytes())


def script(rng, languages, noise_levels, voices):
    """Chooses the lines: who speaks, which prompt at which level, and the pause (or overlap) before it."""
    lines = []
    party = 0
    for index in range(LINES_PER_DIALOGUE):
        if index > 0:
            party = party if rng.random() < 0.2 else 1 - party
        overlap = index > 0 and party != lines[-1]["party"] and rng.random() < 0.25
        gap = -rng.uniform(0.3, 1.0) if overlap else math.exp(rng.uniform(math.log(0.5), math.log(8.0)))
        noise = noise_levels[party] if len(noise_levels) > 1 else noise_levels[0]
        while True:
            prompt = rng.choice(voices[languages[party]])
            gain = rng.uniform(-8.0, 0.0)
            if max(abs(s) for s in prompt.samples) * 10 ** (gain / 20) >= 0.99:
                continue
            truth = prompt.utterances(gain, noise)
            if truth:
                break
        lines.append({"party": party, "prompt": prompt, "gain": gain, "truth": truth, "gap_frames": round(gap * 100)})
    return lines


def build(name, layout, languages, noise_levels, noise_kind, seed, voices, output, work):
    rng = random.Random(seed)
    lines = script(rng, languages, noise_levels, voices)
    # Place each line on the frame grid so its speech starts `gap` after the last speech so far ends; an
    # overlap starts `gap` before the other party's speech ends, after it began and after the party's own.
    cursor = rng.randint(100, 200)  # where the last speech so far ends
    starts, ends = [0, 0], [0, 0]
    placed = []
    for line in lines:
        first, last = line["truth"][0][0], line["truth"][-1][1]
        party, other = line["party"], 1 - line["party"]
        if not placed:
            start = cursor
        elif line["gap_frames"] >= 0:
            start = cursor + line["gap_frames"]
        else:
            start = max(ends[other] + line["gap_frames"], starts[other] + 30, ends[party] + 20)
        offset = start - first  # frame of the prompt's sample 0
        placed.append({**line, "start": start, "offset": offset})
        starts[party] = start
        ends[party] = max(ends[party], start + last - first)
        cursor = max(cursor, start + last - first)
    shift = max(0, -min(p["offset"] for p in placed))
    for p in placed:
        p["start"] += shift
        p["offset"] += shift
    total = max(p["offset"] + len(p["prompt"].energies) for p in placed) + rng.randint(100, 200)

    channel_count = 2 if layout == "stereo" else 1
    channels = [
        band_limited_noise(total, noise_levels[c], noise_kind, seed * 10 + c, work) for c in range(channel_count)
    ]
    for p in placed:
        channel = channels[p["party"] if channel_count == 2 else 0]
        scale = 10 ** (p["gain"] / 20)
        base = p["offset"] * FRAME
        for position, sample in enumerate(p["prompt"].samples):
            channel[base + position] += sample * scale

    speaking = sorted((p["offset"] + first, p["offset"] + end) for p in placed for first, end in p["truth"])
    silences, optional, cursor = [], [], 0
    for start, end in speaking + [(total, total)]:
        # A pause within the edge tolerance of the shortest reported silence may be reported or not.
        if start - cursor >= MIN_SILENCE_FRAMES + TOLERANCE_FRAMES:
            silences.append([cursor * 10, start * 10])
        elif start - cursor >= MIN_SILENCE_FRAMES - TOLERANCE_FRAMES:
            optional.append([cursor * 10, start * 10])
        cursor = max(cursor, end)

    pcm = os.path.join(output, f"{name}-pcm.wav")
    write_wav(pcm, channels)
    files = {"pcm": os.path.basename(pcm)}
    for encoding in ("alaw", "ulaw"):
        target = os.path.join(output, f"{name}-{encoding}.wav")
        # No dither, as a telephone codec has none: the files are the same on every run.
        subprocess.run(["sox", "-D", pcm, "-e", "a-law" if encoding == "alaw" else "u-law", "-b", "8", target], check=True)
        files[encoding] = os.path.basename(target)
    mp3 = os.path.join(output, f"{name}.mp3")
    subprocess.run(["lame", "--quiet", "-b", "32" if channel_count == 1 else "64", pcm, mp3], check=True)
    files["mp3"] = os.path.basename(mp3)

    return {
        "name": name,
        "layout": layout,
        "languages": list(languages),
        "noise_dbfs": list(noise_levels),
        "noise": noise_kind,
        "duration_ms": total * 10,
        "files": files,
        "speech": [
            {"party": p["party"], "prompt": p["prompt"].path, "gain_db": round(p["gain"], 2),
             "start_ms": (p["offset"] + first) * 10, "end_ms": (p["offset"] + end) * 10}
            for p in placed for first, end in p["truth"]
        ],
        "silences": silences,
        "optional_silences": optional,
    }


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    output = os.path.abspath(sys.argv[1])
    corpus_seed = int(sys.argv[2]) if len(sys.argv) == 3 else 0
    work = os.path.join(output, "work")
    os.makedirs(work, exist_ok=True)
    voices = {language: load_voice(language) for language in sorted({l for d in DIALOGUES for l in d[2]})}
    dialogues = [
        build(name, layout, languages, noise, kind, seed + 1000 * corpus_seed, voices, output, work)
        for name, layout, languages, noise, kind, seed in DIALOGUES
    ]
    for name in os.listdir(work):
        os.remove(os.path.join(work, name))
    os.rmdir(work)
    manifest = {
        "truth": "first/last 10 ms frame above the line noise and within 35 dB of the utterance's loudest frame",
        "encodings": list(ENCODINGS),
        "dialogues": dialogues,
    }
    with open(os.path.join(output, "manifest.json"), "w") as target:
        json.dump(manifest, target, indent=1)
    silences = sum(len(d["silences"]) for d in dialogues)
    print(f"speech_fixtures: {len(dialogues)} dialogues, {silences} silences, {len(ENCODINGS)} encodings in {output}")


if __name__ == "__main__":
    main()
