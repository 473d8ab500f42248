#!/usr/bin/env python3
"""compare_jsonl.py: checks that two JSON Lines files hold the same values, line by line.

Usage: compare_jsonl.py [--sample K] EXPECTED ACTUAL
Compares the line counts and then K lines spread evenly over the file (always the first and the
last; K=0: every line) as parsed JSON, so key order and spacing do not matter. Prints a summary;
on a mismatch, a loud report with the first differing line of both files and the paths at which
their values differ. Exits 0 when everything compared is equal, 1 otherwise.
"""

import argparse
import json
import sys

SHOWN_DIFFERENCES = 12


def differences(expected, actual, path="$"):
    """Paths (with both values) at which two parsed JSON values differ."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in list(expected) + [k for k in actual if k not in expected]:
            where = "%s.%s" % (path, key)
            if key not in actual:
                found.append((where, expected[key], "<missing>"))
            elif key not in expected:
                found.append((where, "<missing>", actual[key]))
            else:
                found.extend(differences(expected[key], actual[key], where))
        return found
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        found = []
        for index, (left, right) in enumerate(zip(expected, actual)):
            found.extend(differences(left, right, "%s[%d]" % (path, index)))
        return found
    # Compare with types: 1 == 1.0 == True in Python, not in JSON.
    if type(expected) is not type(actual) or expected != actual:
        return [(path, expected, actual)]
    return []


def parse(line):
    try:
        return json.loads(line)
    except ValueError as error:
        return "<not JSON: %s>" % error


def sample_indices(count, sample):
    if sample <= 0 or sample >= count:
        return list(range(count))
    step = (count - 1) / (sample - 1) if sample > 1 else count
    return sorted({min(count - 1, round(i * step)) for i in range(sample)} | {0, count - 1})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=10000, help="lines to compare (0: all; default 10000)")
    parser.add_argument("expected")
    parser.add_argument("actual")
    args = parser.parse_args()

    with open(args.expected, encoding="utf-8") as file:
        expected_lines = file.read().splitlines()
    with open(args.actual, encoding="utf-8", errors="replace") as file:
        actual_lines = file.read().splitlines()

    ok = True
    if len(expected_lines) != len(actual_lines):
        ok = False
        print("MISMATCH: line counts differ: %s has %d, %s has %d"
              % (args.expected, len(expected_lines), args.actual, len(actual_lines)))

    indices = sample_indices(min(len(expected_lines), len(actual_lines)), args.sample)
    unequal = []
    identical = 0
    for index in indices:
        left, right = expected_lines[index], actual_lines[index]
        if left == right:
            identical += 1
        elif differences(parse(left), parse(right)):
            unequal.append(index)

    print("compared %d of %d lines as JSON: %d equal (%d byte-identical), %d differ"
          % (len(indices), len(expected_lines), len(indices) - len(unequal), identical, len(unequal)))
    if unequal:
        ok = False
        first = unequal[0]
        print("MISMATCH: first differing line is line %d" % (first + 1))
        print("  %s: %s" % (args.expected, expected_lines[first]))
        print("  %s: %s" % (args.actual, actual_lines[first]))
        found = differences(parse(expected_lines[first]), parse(actual_lines[first]))
        for path, left, right in found[:SHOWN_DIFFERENCES]:
            print("  at %s: expected %s, got %s"
                  % (path, json.dumps(left, ensure_ascii=False), json.dumps(right, ensure_ascii=False)))
        if len(found) > SHOWN_DIFFERENCES:
            print("  ... and %d more differences on that line" % (len(found) - SHOWN_DIFFERENCES))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
