#!/usr/bin/env python3
"""Check ClassGate uplink messages against the v1 contract (schemas/*.schema.json, docs/uplink.md).

    python3 scripts/validate-uplink.py [--strict] [--examples] [FILE ...]

Each FILE ('-' for standard input) holds one message per line: the topic, a TAB (or a space, as
`mosquitto_sub -v` prints), then the JSON payload. Record a capture at the IOC broker with

    mosquitto_sub ... -t 'ioc/v1/schools/+/#' -F '%t\\t%p' > capture.txt

`--examples` checks schemas/examples/*.json (one payload per file). `--strict` also refuses keys
the contract does not define inside the bodies, and event types other than v1's: use it on the
agent's own output; leave it off for messages from agents newer than this checkout.

Besides the JSON Schemas it checks what a schema cannot say: the topic (kind and school id) matches
the payload; period lengths, local times, day boundaries and window alignment agree with the time
zone; minutes have at most 3 decimals and do not exceed the period; min <= mean <= max; distinct
cards <= scans (per lesson too); a lesson summary's lessons lie inside its day and its totals match them; device ids are unique and a window's fleet counts them all (a window in parts: not
checked per part); a seq is never reused
for different content; revisions of a period have distinct seqs in the same order.

Prints one line per failure and exits 1 if there is any, else prints a count per schema and exits 0.
Exit 2: the command line, a file or a schema is unusable, or the jsonschema package is missing.
Needs Python 3.9+ and jsonschema 4 (Debian: python3-jsonschema).
"""

import argparse
import copy
import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path


def missing(text):
    print(f"validate-uplink: needs {text}", file=sys.stderr)
    sys.exit(2)


try:
    from jsonschema import Draft202012Validator
except ImportError:  # jsonschema 3 has no Draft202012Validator either
    missing("the jsonschema package, version 4 or later (apt-get install python3-jsonschema)")

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:
    missing("Python 3.9 or later (zoneinfo)")

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schemas"
EXAMPLE_DIR = SCHEMA_DIR / "examples"

TOPIC = re.compile(r"^ioc/v1/schools/([^/]+)/(.+)$")
SUMMARIES = ("classgate.window_summary", "classgate.daily_summary")
LESSONS = "classgate.lesson_summary"
MINUTE_MS = 60_000
TOLERANCE = 0.0005  # minutes are rounded to 3 decimals
YEAR_2000_MS = 946_684_800_000
UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


class SetupError(Exception):
    pass


class Contract:
    """The schemas, by their `schema` name, with the topic suffix each belongs on."""

    def __init__(self, strict):
        self.validators = {}
        self.suffixes = {}
        paths = sorted(SCHEMA_DIR.glob("*.schema.json"))
        if not paths:
            raise SetupError(f"no *.schema.json in {SCHEMA_DIR}")
        for path in paths:
            try:
                schema = json.loads(path.read_text(encoding="utf-8"))
                Draft202012Validator.check_schema(schema)
                name = schema["properties"]["schema"]["const"]
                template = schema["x-topic"]
            except Exception as error:  # noqa: BLE001 - any defect in a schema file stops the run
                raise SetupError(f"{path}: not a usable schema: {error}") from error
            if strict:
                schema = strictened(schema)
            self.validators[name] = Draft202012Validator(schema)
            self.suffixes[name] = template.split("{school_id}/", 1)[1]

    def short(self, name):
        return name.removeprefix("classgate.")


def strictened(schema):
    """A copy in which every body object refuses undefined keys, and events only have v1 types."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and not (
                {"additionalProperties", "unevaluatedProperties", "patternProperties"} & node.keys()
            ):
                node["unevaluatedProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    event = schema.get("$defs", {}).get("event")
    if event:
        types = [branch["if"]["properties"]["type"]["const"] for branch in event["allOf"]]
        event["properties"]["type"] = {"enum": types}
    return schema


class Run:
    def __init__(self, contract):
        self.contract = contract
        self.failures = 0
        self.counts = Counter()
        self.duplicates = 0
        self.by_seq = {}  # (school_id, stream, seq) -> (canonical payload, where)
        self.by_period = {}  # (school_id, schema, start_ms, part) -> {revision: (seq, where)}
        self.parts_of = {}  # (school_id, schema, start_ms, revision) -> parts

    def fail(self, where, text):
        self.failures += 1
        print(f"{where}: {text}")

    def message(self, where, topic, text):
        try:
            payload = json.loads(text, object_pairs_hook=no_duplicate_keys, parse_constant=no_constant)
        except ValueError as error:
            self.fail(where, f"payload is not valid JSON: {error}")
            return
        if not isinstance(payload, dict):
            self.fail(where, "payload is not a JSON object")
            return
        name = payload.get("schema")
        validator = self.contract.validators.get(name) if isinstance(name, str) else None
        if validator is None:
            known = ", ".join(sorted(self.contract.validators))
            self.fail(where, f"unknown schema {name!r} (known: {known})")
            return
        label = name if "seq" not in payload else f"{name} seq {payload['seq']}"
        self.counts[self.contract.short(name)] += 1

        if topic is not None:
            self.topic(f"{where}: {label}", topic, name, payload)
        errors = list(validator.iter_errors(payload))
        for error in errors:
            self.fail(f"{where}: {label}", f"{path_text(error.absolute_path, payload)}: {error_text(error)}")
        if errors:
            return
        for problem in consistency(name, payload):
            self.fail(f"{where}: {label}", problem)
        if "seq" in payload:
            self.sequence(where, name, payload)

    def topic(self, where, topic, name, payload):
        match = TOPIC.match(topic)
        expected = self.contract.suffixes[name]
        if not match:
            self.fail(where, f"topic {topic!r} is not under ioc/v1/schools/<school_id>/")
            return
        school, suffix = match.groups()
        if suffix != expected:
            self.fail(where, f"topic {topic!r}: a {name} belongs on .../{expected}, not .../{suffix}")
        # A command carries no school_id: the topic alone names the school it is for.
        if name != "classgate.command" and school != payload.get("school_id"):
            self.fail(where, f"topic {topic!r} names school {school!r} but the payload says {payload.get('school_id')!r}")

    def sequence(self, where, name, payload):
        school, seq = (payload["school_id"], payload.get("stream")), payload["seq"]
        canonical = json.dumps(payload, sort_keys=True)
        seen = self.by_seq.get((school, seq))
        if seen is not None:
            if seen[0] == canonical:
                self.duplicates += 1
            else:
                self.fail(f"{where}: {name} seq {seq}", f"seq reused for a different message (first at {seen[1]})")
            return
        self.by_seq[(school, seq)] = (canonical, where)
        if name not in SUMMARIES and name != LESSONS:
            return
        revision, start = payload["revision"], payload["period"]["start_ms"]
        # A period split into parts (ioc.max_message_kb): each part is its own row at the IOC.
        part, parts = payload.get("part", 1), payload.get("parts", 1)
        if part > parts:
            self.fail(f"{where}: {name} seq {seq}", f"part {part} of {parts}")
        counted = self.parts_of.setdefault((school, name, start, revision), parts)
        if counted != parts:
            self.fail(f"{where}: {name} seq {seq}", f"revision {revision} says {parts} parts, another part said {counted}")
        revisions = self.by_period.setdefault((school, name, start, part), {})
        label = f"{where}: {name} seq {seq}"
        if revision in revisions:
            other_seq, other_where = revisions[revision]
            self.fail(label, f"revision {revision} of period {payload['period']['start']} was already sent as seq {other_seq} ({other_where})")
            return
        for other_revision, (other_seq, other_where) in revisions.items():
            if (other_revision < revision) != (other_seq < seq):
                self.fail(
                    label,
                    f"revision {revision} of period {payload['period']['start']} has seq {seq}, "
                    f"but revision {other_revision} has seq {other_seq} ({other_where}): revisions and seqs must grow together",
                )
        revisions[revision] = (seq, where)

    def summary(self):
        parts = ", ".join(f"{self.contract.short(n)}={self.counts[self.contract.short(n)]}" for n in self.order())
        total = sum(self.counts.values())
        line = f"validated {total} messages: {parts}"
        if self.duplicates:
            line += f"; {self.duplicates} exact duplicate(s) of an earlier (school_id, seq)"
        return line

    def order(self):
        wanted = ["classgate.window_summary", "classgate.daily_summary", "classgate.event", "classgate.presence"]
        return [n for n in wanted if n in self.contract.validators] + sorted(
            n for n in self.contract.validators if n not in wanted
        )


def no_duplicate_keys(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def no_constant(name):
    raise ValueError(f"{name} is not JSON")


def path_text(path, payload):
    """devices[2] (plug-102).metrics.co2.count, from the error's path."""
    text, node = "", payload
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                text += f" ({node['id']})"
        else:
            text += f".{part}" if text else part
            node = node.get(part) if isinstance(node, dict) else None
    return text or "payload"


def error_text(error):
    text = error.message
    if error.validator in ("oneOf", "anyOf") and error.context:
        text = f"{short_repr(error.instance)} is not valid: " + "; or ".join(sorted({e.message for e in error.context}))
    return text if len(text) <= 300 else text[:297] + "..."


def short_repr(value):
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


# Checks a JSON Schema cannot express. Run only on schema-valid payloads.


def consistency(name, p):
    problems = []
    for key in ("created_ms", "time_ms"):
        if isinstance(p.get(key), int) and p[key] < YEAR_2000_MS:
            problems.append(f"{key} {p[key]} is before 2000: seconds instead of milliseconds?")
    if name in SUMMARIES:
        problems += period_problems(name, p["period"])
        problems += device_problems(p["devices"], p["period"]["minutes"])
        fleet = p["fleet"]
        counted = fleet["online"] + fleet["offline"] + fleet["stale"] + fleet["unknown"]
        # A message in parts holds some of the devices; the fleet is the whole school's.
        if name == "classgate.window_summary" and "parts" not in p and counted != len(p["devices"]):
            problems.append(f"fleet counts {counted} devices by status, but devices[] has {len(p['devices'])}")
    elif name == LESSONS:
        problems += period_problems(name, p["period"])
        problems += lesson_problems(p)
    elif name == "classgate.event":
        event = p["event"]
        if event["time_ms"] < YEAR_2000_MS:
            problems.append(f"event.time_ms {event['time_ms']} is before 2000: seconds instead of milliseconds?")
        if event["type"] == "threshold_alert" and event["state"] == "above" and event["value"] < event["threshold"]:
            problems.append(f"event: state 'above' but value {event['value']} < threshold {event['threshold']}")
    elif name == "classgate.presence" and p["online"]:
        if (p["backlog"] == 0) != (p["oldest_pending_ms"] is None):
            problems.append(
                f"backlog {p['backlog']} with oldest_pending_ms {p['oldest_pending_ms']}: "
                "oldest_pending_ms is null exactly when the backlog is 0"
            )
        if p["oldest_pending_ms"] is not None and p["oldest_pending_ms"] > p["time_ms"]:
            problems.append("oldest_pending_ms is after time_ms")
    return problems


def period_problems(name, period):
    problems = []
    start, end, minutes = period["start_ms"], period["end_ms"], period["minutes"]
    if start < YEAR_2000_MS:
        problems.append(f"period.start_ms {start} is before 2000: seconds instead of milliseconds?")
    if end <= start:
        return problems + ["period.end_ms is not after period.start_ms"]
    if end - start != minutes * MINUTE_MS:
        problems.append(f"period.minutes is {minutes} but end_ms - start_ms is {(end - start) / MINUTE_MS:g} minutes")
    try:
        zone = ZoneInfo(period["time_zone"])
    except (ZoneInfoNotFoundError, ValueError):
        return problems + [f"period.time_zone {period['time_zone']!r} is not a known IANA time zone"]
    for key, ms in (("start", start), ("end", end)):
        try:
            stamp = dt.datetime.fromisoformat(period[key].replace("Z", "+00:00"))
        except ValueError:
            problems.append(f"period.{key} {period[key]!r} is not a valid date-time")
            continue
        if epoch_ms(stamp) != ms:
            problems.append(f"period.{key} {period[key]} is {epoch_ms(stamp)} ms, not period.{key}_ms {ms}")
        offset = local(ms, zone).utcoffset()
        if stamp.utcoffset() != offset:
            problems.append(f"period.{key} {period[key]} has UTC offset {stamp.utcoffset()}, but {zone.key} is at {offset}")
    begin = local(start, zone)
    if name == "classgate.window_summary":
        if 1440 % minutes == 0 and (begin.second or begin.microsecond or (begin.hour * 60 + begin.minute) % minutes):
            problems.append(f"window starts at local {begin.time()}, not on a multiple of {minutes} minutes")
    else:
        day = dt.date.fromisoformat(period["date"])
        covers_day = (
            local(start, zone).date() == day
            and local(start - 1, zone).date() == day - dt.timedelta(days=1)
            and local(end - 1, zone).date() == day
            and local(end, zone).date() == day + dt.timedelta(days=1)
        )
        if not covers_day:
            problems.append(f"period does not cover exactly the local day {day} in {zone.key}")
    return problems


def device_problems(devices, period_minutes):
    problems, seen = [], set()
    for index, device in enumerate(devices):
        where = f"devices[{index}] ({device['id']})"
        if device["id"] in seen:
            problems.append(f"{where}: id appears twice")
        seen.add(device["id"])
        minute_fields = [(key, device[key]) for key in ("online_min", "on_min", "active_min") if key in device]
        for metric, stats in device.get("metrics", {}).items():
            if "above_min" in stats:
                minute_fields.append((f"metrics.{metric}.above_min", stats["above_min"]))
            low, high = stats["min"] - slack(stats["min"]), stats["max"] + slack(stats["max"])
            if not (low <= stats["mean"] <= high) or stats["min"] > stats["max"]:
                problems.append(f"{where}: metrics.{metric}: not min <= mean <= max ({stats['min']}, {stats['mean']}, {stats['max']})")
        for key, value in minute_fields:
            if abs(value * 1000 - round(value * 1000)) > 1e-6:
                problems.append(f"{where}: {key} {value} has more than 3 decimals")
            if value > period_minutes + TOLERANCE:
                problems.append(f"{where}: {key} {value} exceeds the period's {period_minutes} minutes")
        if "distinct_cards" in device and "scans" in device and device["distinct_cards"] > device["scans"]:
            problems.append(f"{where}: distinct_cards {device['distinct_cards']} > scans {device['scans']}")
    return problems


def lesson_problems(p):
    """Each lesson inside the day and within its own minutes; the day's totals match its lessons."""
    problems, seen = [], set()
    day = p["period"]
    zone = ZoneInfo(day["time_zone"])
    if p["teaching_day"] == (p["closure"] is not None):
        problems.append(f"teaching_day {p['teaching_day']} with closure {p['closure']!r}: a closure exactly when not a teaching day")
    if not p["teaching_day"] and p["lessons"]:
        problems.append("lessons on a day without lessons (teaching_day false)")
    for index, lesson in enumerate(p["lessons"]):
        where = f"lessons[{index}] ({lesson['room']} {lesson['session']} {lesson['period']})"
        start, end = lesson["start_ms"], lesson["end_ms"]
        if (lesson["room"], start) in seen:
            problems.append(f"{where}: the room appears twice in this period")
        seen.add((lesson["room"], start))
        if not (day["start_ms"] <= start < end <= day["end_ms"]):
            problems.append(f"{where}: not inside the day")
            continue
        minutes = lesson["minutes"]
        if abs(minutes * MINUTE_MS - (end - start)) > 1:
            problems.append(f"{where}: minutes {minutes} but end_ms - start_ms is {(end - start) / MINUTE_MS:g} minutes")
        stamp = dt.datetime.fromisoformat(lesson["start"].replace("Z", "+00:00"))
        if epoch_ms(stamp) != start or stamp.utcoffset() != local(start, zone).utcoffset():
            problems.append(f"{where}: start {lesson['start']} is not start_ms {start} in {zone.key}")
        fields = [(key, lesson[key]) for key in ("board_on_min", "board_active_min", "projector_on_min")]
        if "co2" in lesson:
            fields.append(("co2.above_min", lesson["co2"]["above_min"]))
            if lesson["co2"]["mean"] > lesson["co2"]["max"] + slack(lesson["co2"]["max"]):
                problems.append(f"{where}: co2 mean {lesson['co2']['mean']} > max {lesson['co2']['max']}")
        for key, value in fields:
            if abs(value * 1000 - round(value * 1000)) > 1e-6:
                problems.append(f"{where}: {key} {value} has more than 3 decimals")
            if value > minutes + TOLERANCE:
                problems.append(f"{where}: {key} {value} exceeds the lesson's {minutes} minutes")
        for used, key in (("used_board", "board_on_min"), ("used_projector", "projector_on_min")):
            if lesson[used] and lesson[key] == 0:
                problems.append(f"{where}: {used} with {key} 0")
        if lesson["board_active_min"] > lesson["board_on_min"] + TOLERANCE:
            problems.append(f"{where}: board_active_min > board_on_min")
        if lesson["distinct_cards"] > lesson["scans"]:
            problems.append(f"{where}: distinct_cards {lesson['distinct_cards']} > scans {lesson['scans']}")
    totals, lessons = p["totals"], p["lessons"]
    for room in p["outside_timetable"]:
        for key in ("board_on_min", "projector_on_min"):
            if room[key] > day["minutes"] + TOLERANCE:
                problems.append(f"outside_timetable ({room['room']}): {key} exceeds the day")
    if len({room["room"] for room in p["outside_timetable"]}) != len(p["outside_timetable"]):
        problems.append("outside_timetable: a room appears twice")
    if totals["rooms_outside_timetable"] != len(p["outside_timetable"]):
        problems.append(f"totals.rooms_outside_timetable {totals['rooms_outside_timetable']} but outside_timetable has {len(p['outside_timetable'])}")
    if "parts" in p:  # the totals are the whole day's; a part holds some of its lessons
        return problems
    scheduled = [lesson for lesson in lessons if lesson["scheduled"]]
    expected = {
        "scheduled_lessons": len(scheduled),
        "used_lessons": sum(1 for lesson in scheduled if lesson["used_board"] or lesson["used_projector"]),
        "used_board": sum(1 for lesson in scheduled if lesson["used_board"]),
        "used_projector": sum(1 for lesson in scheduled if lesson["used_projector"]),
        "co2_over_lessons": sum(1 for lesson in scheduled if lesson.get("co2", {}).get("above_min", 0) > 0),
        "unscheduled_used": sum(
            1 for lesson in lessons if not lesson["scheduled"] and (lesson["used_board"] or lesson["used_projector"])
        ),
    }
    for key, count in expected.items():
        if totals[key] != count:
            problems.append(f"totals.{key} is {totals[key]} but the lessons give {count}")
    for key, count in (("used_pct", "used_lessons"), ("board_pct", "used_board"), ("projector_pct", "used_projector")):
        share = None if not scheduled else round(totals[count] * 100 / len(scheduled), 1)
        if (totals[key] is None) != (share is None) or (share is not None and abs(totals[key] - share) > 0.051):
            problems.append(f"totals.{key} is {totals[key]}, expected {share}")
    return problems


def slack(value):
    return TOLERANCE + abs(value) * 1e-9


def local(ms, zone):
    return (EPOCH + dt.timedelta(milliseconds=ms)).astimezone(zone)


def epoch_ms(stamp):
    return (stamp - EPOCH) // dt.timedelta(milliseconds=1)


# Inputs.


def lines_of(path):
    if path == "-":
        return sys.stdin.read().splitlines()
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise SetupError(f"cannot read {path}: {error}") from error


def check_file(run, path):
    for number, line in enumerate(lines_of(path), start=1):
        if not line.strip():
            continue
        where = f"{'<stdin>' if path == '-' else path}:{number}"
        separator = "\t" if "\t" in line else " "
        if separator not in line:
            run.fail(where, "expected <topic><TAB><payload>")
            continue
        topic, payload = line.split(separator, 1)
        run.message(where, topic, payload)


def check_examples(run):
    paths = sorted(EXAMPLE_DIR.glob("*.json"))
    if not paths:
        raise SetupError(f"no examples in {EXAMPLE_DIR}")
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise SetupError(f"cannot read {path}: {error}") from error
        run.message(str(path.relative_to(ROOT)), None, text)


def main(argv):
    parser = argparse.ArgumentParser(
        prog="validate-uplink.py",
        description="Check ClassGate uplink messages (lines of <topic><TAB><payload>) against schemas/.",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="a capture, one message per line; '-' for standard input")
    parser.add_argument("--examples", action="store_true", help="check schemas/examples/*.json")
    parser.add_argument("--strict", action="store_true", help="refuse keys and event types v1 does not define")
    args = parser.parse_args(argv)
    if not args.files and not args.examples:
        parser.error("give at least one FILE, or --examples")
    try:
        run = Run(Contract(args.strict))
        if args.examples:
            check_examples(run)
        for path in args.files:
            check_file(run, path)
    except SetupError as error:
        print(f"validate-uplink: {error}", file=sys.stderr)
        return 2
    if run.failures:
        print(f"{run.failures} failure(s); {run.summary()}", file=sys.stderr)
        return 1
    print(run.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
