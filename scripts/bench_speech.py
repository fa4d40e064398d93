#!/usr/bin/env python3
"""Silence accuracy on recorded human speech: runs `calls-analyze` over the dialogues of speech_fixtures.py and
prints, per encoding, silence precision and recall (a detected silence matches a true one when both edges are
within 100 ms, one to one; one matching an optional silence, a pause within 100 ms of the 500 ms reported, is
neither counted nor held against it) and the signed edge errors of the matched silences (detected minus true, in ms:
negative = early). A silence's start is where speech ends, its end where speech starts again.

Usage: bench_speech.py BIN_DIR FIXTURE_ROOT [SEED ...]   (default seed 0, the corpus `make test` checks; each
corpus is built afresh in FIXTURE_ROOT/seed-N. Other seeds draw other dialogues of
the same design: the detector's constants were chosen on seed 0, so they show how well that choice carries.)
"""

import json
import os
import shutil
import subprocess
import sys

TOLERANCE_MS = 100


def match(detected, truth):
    """Pairs each true silence with the nearest unused detected one whose edges are both within tolerance: the
    signed edge errors of the pairs, and the detected silences left over."""
    used, pairs = set(), []
    for true_start, true_end in truth:
        best = None
        for index, (start, end) in enumerate(detected):
            if index in used or abs(start - true_start) > TOLERANCE_MS or abs(end - true_end) > TOLERANCE_MS:
                continue
            distance = abs(start - true_start) + abs(end - true_end)
            if best is None or distance < best[0]:
                best = (distance, index)
        if best:
            used.add(best[1])
            start, end = detected[best[1]]
            pairs.append((start - true_start, end - true_end))
    return pairs, [silence for index, silence in enumerate(detected) if index not in used]


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spread(values):
    return f"{percentile(values, 0.5):+.0f} / {percentile(values, 0.1):+.0f} / {percentile(values, 0.9):+.0f}"


def corpus(fixture_root, seed):
    """Built afresh every time, so a changed fixture script is never scored on an old corpus."""
    fixtures = os.path.join(os.path.abspath(fixture_root), f"seed-{seed}")
    shutil.rmtree(fixtures, ignore_errors=True)
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([sys.executable, os.path.join(here, "speech_fixtures.py"), fixtures, str(seed)], check=True,
                   stdout=subprocess.DEVNULL)
    manifest_path = os.path.join(fixtures, "manifest.json")
    with open(manifest_path) as source:
        return fixtures, json.load(source)


class Tally:
    """Matched, true and detected silences, and the signed edge errors of the matched ones: a silence starts
    where speech ends and ends where speech starts."""

    def __init__(self):
        self.true = self.detected = self.excused = 0
        self.speech_ends, self.speech_starts = [], []

    def add(self, other):
        self.true += other.true
        self.detected += other.detected
        self.excused += other.excused
        self.speech_ends += other.speech_ends
        self.speech_starts += other.speech_starts

    def scores(self):
        matched = len(self.speech_ends)
        return (matched / self.detected if self.detected else 0.0, matched / self.true if self.true else 0.0)

    def text(self):
        precision, recall = self.scores()
        return f"{precision:.3f} / {recall:.3f}"


def score(analyze, fixtures, manifest):
    """Per (noise, encoding), the tally of one corpus."""
    tallies = {}
    for encoding in manifest["encodings"]:
        paths = [os.path.join(fixtures, dialogue["files"][encoding]) for dialogue in manifest["dialogues"]]
        reports = json.loads(subprocess.run([analyze] + paths, check=True, capture_output=True).stdout)
        for dialogue, report in zip(manifest["dialogues"], reports):
            detected = [(round(mark["start"] * 1000), round(mark["end"] * 1000)) for mark in report["silence_marks"]]
            truth = [tuple(silence) for silence in dialogue["silences"]]
            pairs, left_over = match(detected, truth)
            excused = len(match(left_over, [tuple(silence) for silence in dialogue["optional_silences"]])[0])
            tally = tallies.setdefault((dialogue["noise"], encoding), Tally())
            tally.true += len(truth)
            tally.detected += len(detected) - excused
            tally.excused += excused
            tally.speech_ends += [pair[0] for pair in pairs]
            tally.speech_starts += [pair[1] for pair in pairs]
    return tallies


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    analyze = os.path.join(sys.argv[1], "calls-analyze")
    seeds = [int(seed) for seed in sys.argv[3:]] or [0]
    per_seed = {}
    for seed in seeds:
        fixtures, manifest = corpus(sys.argv[2], seed)
        per_seed[seed] = score(analyze, fixtures, manifest)
    others = [seed for seed in seeds if seed != seeds[0]]
    print(f"| Line noise | Encoding | True silences (all seeds) | P / R, seed {seeds[0]} | P / R, seeds {others[0] if others else '-'}"
          f"–{others[-1] if others else '-'} pooled | Lowest P or R of one seed | Optional silences reported (all seeds) "
          "| Speech end error, ms (median / p10 / p90) | Speech start error, ms (median / p10 / p90) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for key in per_seed[seeds[0]]:
        pooled, everything = Tally(), Tally()
        for seed in others:
            pooled.add(per_seed[seed][key])
        for seed in seeds:
            everything.add(per_seed[seed][key])
        lowest = min(min(per_seed[seed][key].scores()) for seed in seeds)
        print(f"| {key[0]} | {key[1]} | {everything.true} | {per_seed[seeds[0]][key].text()} | "
              f"{pooled.text() if others else '-'} | {lowest:.3f} | {everything.excused} | {spread(everything.speech_ends)} | "
              f"{spread(everything.speech_starts)} |")


if __name__ == "__main__":
    main()
