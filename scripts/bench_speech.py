#!/usr/bin/env python3
"""Silence accuracy on recorded human speech: runs `calls-analyze` over the dialogues of speech_fixtures.py and
prints, per encoding, silence precision and recall (a detected silence matches a true one when both edges are
within 100 ms, one to one) and the signed edge errors of the matched silences (detected minus true, in ms:
negative = early). A silence's start is where speech ends, its end where speech starts again.

Usage: bench_speech.py BIN_DIR FIXTURE_ROOT [SEED ...]   (default seed 0, the corpus `make test` checks; each
corpus is FIXTURE_ROOT/seed-N, built first when it holds no manifest.json. Other seeds draw other dialogues of
the same design: the detector's constants were chosen on seed 0, so they show how well that choice carries.)
"""

import json
import os
import subprocess
import sys

TOLERANCE_MS = 100


def match(detected, truth):
    """Pairs each true silence with the nearest unused detected one whose edges are both within tolerance."""
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
    return pairs


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
    fixtures = os.path.join(os.path.abspath(fixture_root), f"seed-{seed}")
    manifest_path = os.path.join(fixtures, "manifest.json")
    if not os.path.exists(manifest_path):
        here = os.path.dirname(os.path.abspath(__file__))
        subprocess.run([sys.executable, os.path.join(here, "speech_fixtures.py"), fixtures, str(seed)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(manifest_path) as source:
        return fixtures, json.load(source)


def score(analyze, fixtures, manifest, seed, rows, failures):
    for encoding in manifest["encodings"]:
        true_count = detected_count = 0
        starts, ends = [], []
        for dialogue in manifest["dialogues"]:
            path = os.path.join(fixtures, dialogue["files"][encoding])
            report = json.loads(subprocess.run([analyze, path], check=True, capture_output=True).stdout)
            detected = [(round(mark["start"] * 1000), round(mark["end"] * 1000)) for mark in report["silence_marks"]]
            truth = [tuple(silence) for silence in dialogue["silences"]]
            pairs = match(detected, truth)
            true_count += len(truth)
            detected_count += len(detected)
            starts += [pair[0] for pair in pairs]
            ends += [pair[1] for pair in pairs]
            if len(pairs) != len(truth) or len(pairs) != len(detected):
                failures.append(f"seed {seed} {dialogue['name']} {encoding}: {len(pairs)} matched of {len(truth)} "
                                f"true, {len(detected)} detected")
        matched = len(starts)
        precision = matched / detected_count if detected_count else 0.0
        recall = matched / true_count if true_count else 0.0
        rows.append(f"| {seed} | {encoding} | {true_count} | {detected_count} | {precision:.3f} | {recall:.3f} | "
                    f"{spread(starts)} | {spread(ends)} |")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    analyze = os.path.join(sys.argv[1], "calls-analyze")
    seeds = [int(seed) for seed in sys.argv[3:]] or [0]
    rows, failures = [], []
    for seed in seeds:
        fixtures, manifest = corpus(sys.argv[2], seed)
        score(analyze, fixtures, manifest, seed, rows, failures)
    print("| Corpus seed | Encoding | True silences | Detected | Precision | Recall "
          "| Speech end error, ms (median / p10 / p90) | Speech start error, ms (median / p10 / p90) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    if failures:
        print()
        print("Silences not matched within 100 ms: " + "; ".join(failures) + ".")


if __name__ == "__main__":
    main()
