#!/usr/bin/env python3
"""Turns Benchmarks/run-all.sh's raw key=value lines into results.json and a new section on top
of RESULTS.md (the history below it is kept).

    report.py RESULTS_DIR OUT_JSON OUT_MD SCHOOL_DEVICES
"""
import json
import os
import statistics
import sys

res_dir, out_json, out_md, school_devices = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
MIB = 1024.0


def lines(name):
    path = os.path.join(res_dir, name)
    if not os.path.exists(path):
        return []
    rows = []
    for line in open(path, encoding="utf-8"):
        row = {}
        for token in line.split():
            if "=" in token:
                key, _, value = token.partition("=")
                row[key] = value
        if row:
            rows.append(row)
    return rows


def merged(name):
    out = {}
    for row in lines(name):
        out.update(row)
    return out


def num(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


machine = {}
for line in open(os.path.join(res_dir, "machine.txt"), encoding="utf-8"):
    key, _, value = line.rstrip("\n").partition("=")
    machine[key] = value

results = {"machine": machine, "targets": {
    "ingest_ratio_min": 0.9, "rss_mib_max": 20, "idle_cpu_pct_max": 1.0,
    "bytes_per_reading_max": 40, "cli_ms_max": 200, "drain_s_max": 60}}

# --- Ingest vs ceiling -------------------------------------------------------------------------
ingest = {}
for qos in ("0", "1"):
    runs = [r for r in lines("ingest.txt") if r.get("qos") == qos]
    if not runs:
        continue
    per_run = []
    for r in runs:
        n = int(r["n"])
        got_ceiling = int(r.get("ceiling_received") or n)
        got_agent = int(r.get("agent_committed") or n)
        ceiling = got_ceiling / float(r["ceiling_s"])
        agent = got_agent / float(r["agent_s"])
        per_run.append({
            "run": int(r["run"]), "agent_first": r.get("first") == "1",
            "ceiling_msgs_per_s": round(ceiling), "agent_msgs_per_s": round(agent),
            "agent_readings_per_s": round(int(r["readings"]) / float(r["agent_s"])) if r.get("readings") else None,
            "ratio": round(agent / ceiling, 3),
            "agent_peak_rss_mib": round(int(r["agent_hwm_kib"]) / MIB, 1),
            "ceiling_peak_rss_mib": round(int(r["ceiling_rss_kib"]) / MIB, 1),
            "agent_idle_rss_mib": round(int(r["agent_idle_rss_kib"]) / MIB, 1) if r.get("agent_idle_rss_kib") else None,
            "readings_committed": int(r["readings"]) if r.get("readings") else None,
            "messages_committed": got_agent, "messages_received_by_ceiling": got_ceiling,
            "dropped_by_broker": n - got_ceiling,
            "ceiling_received": int(r["ceiling_received"]) if r.get("ceiling_received") else None,
            "generator_msgs_per_s": num(r.get("pub_msgs_per_s")),
            "agent_rss_anon_mib": round(int(r["agent_rss_anon_kib"]) / MIB, 1) if num(r.get("agent_rss_anon_kib")) else None,
            "agent_rss_file_mib": round(int(r["agent_rss_file_kib"]) / MIB, 1) if num(r.get("agent_rss_file_kib")) else None,
            "agent_write_bytes_per_msg": round(int(r["agent_write_bytes"]) / n) if num(r.get("agent_write_bytes")) else None,
        })
    med = lambda key: statistics.median(x[key] for x in per_run)
    ingest[f"qos{qos}"] = {
        "messages": int(runs[0]["n"]), "devices": int(runs[0]["devices"]),
        "payload_bytes": num(runs[0].get("payload_bytes")),
        "ceiling_msgs_per_s": round(med("ceiling_msgs_per_s")), "agent_msgs_per_s": round(med("agent_msgs_per_s")),
        "agent_readings_per_s": round(med("agent_readings_per_s")), "ratio": round(med("ratio"), 3),
        "ratio_range": [min(x["ratio"] for x in per_run), max(x["ratio"] for x in per_run)],
        "agent_peak_rss_mib": med("agent_peak_rss_mib"), "agent_peak_rss_mib_max": max(x["agent_peak_rss_mib"] for x in per_run),
        "ceiling_peak_rss_mib": med("ceiling_peak_rss_mib"),
        "agent_idle_rss_mib": next((x["agent_idle_rss_mib"] for x in per_run if x["agent_idle_rss_mib"]), None),
        "agent_rss_anon_mib_at_end": med("agent_rss_anon_mib") if all(x["agent_rss_anon_mib"] for x in per_run) else None,
        "agent_rss_file_mib_at_end": med("agent_rss_file_mib") if all(x["agent_rss_file_mib"] for x in per_run) else None,
        "agent_write_bytes_per_msg": med("agent_write_bytes_per_msg") if all(x["agent_write_bytes_per_msg"] for x in per_run) else None,
        "runs": per_run,
    }
storage = {}
for batch in ("5000", "500"):
    rows = [r for r in lines("writer.txt") if r.get("batch") == batch]
    entry = {}
    for mode in ("writer", "raw"):
        picked = [r for r in rows if r.get("mode") == mode]
        if picked:
            entry[mode] = {"msgs_per_s": round(statistics.median(float(r["msgs_per_s"]) for r in picked)),
                           "readings_per_s": round(statistics.median(float(r["readings_per_s"]) for r in picked)),
                           "runs": len(picked)}
    if entry:
        storage[f"batch{batch}"] = entry
results["ingest"] = ingest
results["storage_alone"] = storage

live = {}
for row in lines("live.txt"):
    qos = row.get("qos")
    if qos is None:
        continue
    live[f"qos{qos}"] = {
        "messages": int(row["messages"]), "committed_s": float(row["committed_s"]),
        "publish_s": float(row["publish_s"]), "msgs_per_s": int(row["msgs_per_s"]),
        "readings_per_s": int(row["readings_per_s"]), "agent_peak_rss_mib": round(int(row["agent_peak_rss_kib"]) / MIB, 1)}
results["live"] = live

# --- Field faults (issue #13) ---------------------------------------------------------------------
faults = {}
for row in lines("faults.txt"):
    faults[row["attack"]] = {
        "good_messages": int(row["good"]), "attack_messages": int(row["extra"]), "agent_s": float(row["agent_s"]),
        "ceiling_s": num(row.get("ceiling_s")),
        "good_msgs_per_s": int(row["good_msgs_per_s"]), "stalled": row.get("stalled") == "1",
        "agent_peak_rss_mib": round(int(row["agent_hwm_kib"]) / MIB, 1), "devices": int(row["devices"]),
        "payload_too_large": int(row["payload_too_large"]), "device_limit": int(row["device_limit"]),
        "poison_mib": int(row["poison_mib"])}
if faults:
    results["faults"] = faults

# --- Idle cost ----------------------------------------------------------------------------------
idle = merged("idle.txt")
if idle:
    results["idle"] = {
        "devices": school_devices, "wall_s": float(idle["idle_wall_s"]),
        "agent_cpu_pct": float(idle["idle_agent_cpu_pct"]), "ceiling_cpu_pct": float(idle["idle_ceiling_cpu_pct"]),
        "msgs_per_s": float(idle["idle_msgs_per_s"]), "agent_rss_mib": round(int(idle["idle_agent_rss_kib"]) / MIB, 1),
        "agent_peak_rss_mib": round(int(idle["idle_agent_hwm_kib"]) / MIB, 1),
        "agent_write_bytes_per_s": num(idle.get("idle_write_bytes_per_s")),
        "agent_write_bytes_per_msg": num(idle.get("idle_write_bytes_per_msg"))}

# --- Disk ---------------------------------------------------------------------------------------
disk = merged("disk.txt")
synth = merged("synth.txt")
disk_out = {}
for label in ("month", "ingest_q1", "ingest_q0"):
    readings = num(disk.get(f"{label}_readings"))
    if not readings:
        continue
    disk_out[label] = {
        "readings": int(readings),
        "readings_table_bytes_per_reading": round(float(disk[f"{label}_readings_table_bytes"]) / readings, 1),
        "store_used_bytes_per_reading": round(float(disk[f"{label}_used_bytes"]) / readings, 1),
        "store_used_mb": round(float(disk[f"{label}_used_bytes"]) / 1e6, 1),
        "usage_rows_mb": round(float(disk[f"{label}_usage_bytes"]) / 1e6, 1)}
if "month" in disk_out and synth:
    per_reading = disk_out["month"]["readings_table_bytes_per_reading"]
    metrics = float(synth["metrics_per_message"])
    readings_month = school_devices * 8640 * 30 * metrics
    days = float(synth["days"])
    # Usage rows (windows + days) scale with the days summarised: per 30 days.
    usage_month = disk_out["month"]["usage_rows_mb"] * 30 / days
    disk_out["projection_30_days"] = {
        "devices": school_devices, "messages_per_day_per_device": 8640, "metrics_per_message": metrics,
        "readings": int(readings_month), "readings_gb": round(readings_month * per_reading / 1e9, 2),
        "usage_rows_mb": round(usage_month), "total_gb": round(readings_month * per_reading / 1e9 + usage_month / 1e3, 2)}
results["disk"] = disk_out

# --- CLI ----------------------------------------------------------------------------------------
cli_raw = merged("cli.txt")
cli = {}
names = {"devices_json": "classgate devices --json", "device": "classgate device reader-101",
         "stats_day": "classgate stats --day YESTERDAY", "stats_days30": "classgate stats --days 30"}
for key, title in names.items():
    if f"cli_{key}_ms" not in cli_raw:
        continue
    times = [float(t) for t in cli_raw[f"cli_{key}_ms"].split(",") if t]
    cli[key] = {"command": title, "median_ms": round(statistics.median(times), 1), "runs_ms": times,
                "first_run_ms": num(cli_raw.get(f"cli_{key}_first_ms")),
                "peak_rss_mib": round(int(cli_raw[f"cli_{key}_rss_kib"]) / MIB, 1),
                "output_bytes": int(cli_raw[f"cli_{key}_bytes"])}
if synth:
    cli["store"] = {k: synth.get(k) for k in ("devices", "days", "reading_days", "readings", "card_scans",
                                              "status_changes", "windows", "day_summaries", "zone", "local_time", "synth_s")}
    if "month" in disk_out:
        cli["store"]["used_mb"] = disk_out["month"]["store_used_mb"]
results["cli"] = cli

# --- Drain --------------------------------------------------------------------------------------
drain_raw = merged("drain.txt")
drain = {}
if drain_raw:
    drain["backlog"] = {k: num(drain_raw.get(k)) for k in ("messages", "bytes", "window_summarys", "daily_summarys",
                                                           "events", "window_summary_avg_bytes")}
    for label in ("default", "unlimited"):
        p = f"drain_{label}_"
        if p + "s" not in drain_raw:
            continue
        drain[label] = {k[len(p):]: num(v) for k, v in drain_raw.items() if k.startswith(p)}
results["drain"] = drain

results["profile"] = merged("profile.txt")

with open(out_json, "w", encoding="utf-8") as f:
    json.dump(results, f, indent=2)
    f.write("\n")

# --- Markdown -----------------------------------------------------------------------------------


def fmt(n):
    return f"{n:,.0f}" if n is not None else "–"


def verdict(ok):
    return "✅" if ok else "❌"


rows = []
for qos in ("0", "1"):
    i = ingest.get(f"qos{qos}")
    if not i:
        continue
    rows.append((f"Ingest QoS {qos}: plain C subscriber (the ceiling)", f"{fmt(i['ceiling_msgs_per_s'])} msg/s", "", ""))
    rows.append((f"Ingest QoS {qos}: agent, committed to SQLite",
                 f"{fmt(i['agent_msgs_per_s'])} msg/s ({fmt(i['agent_readings_per_s'])} readings/s)", "", ""))
    rows.append((f"Ingest QoS {qos}: agent ÷ ceiling", f"{i['ratio']:.2f} (runs {i['ratio_range'][0]:.2f}–{i['ratio_range'][1]:.2f})",
                 "≥ 0.9", verdict(i["ratio"] >= 0.9)))
for batch, title in (("5000", "batches of 5,000, as in a drain"), ("500", "batches of 500, a live QoS 1 stream's PUBACK batch")):
    st = storage.get(f"batch{batch}", {})
    if "writer" in st:
        rows.append((f"Storage alone: the same messages already decoded, {title}",
                     f"agent's writer {fmt(st['writer']['msgs_per_s'])} msg/s; bare INSERTs {fmt(st.get('raw', {}).get('msgs_per_s'))} msg/s "
                     f"({fmt(st.get('raw', {}).get('readings_per_s'))} rows/s)", "", ""))
for qos in ("0", "1"):
    i = ingest.get(f"qos{qos}")
    if i:
        rows.append((f"Peak RSS (VmHWM), 1,000 devices, QoS {qos} load", f"{i['agent_peak_rss_mib']} MiB (max {i['agent_peak_rss_mib_max']})",
                     "≤ 20 MiB", verdict(i["agent_peak_rss_mib_max"] <= 20)))
for qos in ("0", "1"):
    i = ingest.get(f"qos{qos}")
    if i and i["agent_idle_rss_mib"]:
        rows.append((f"RSS after QoS {qos} load and {machine.get('quick') == '1' and 5 or 30} s quiet",
                     f"{i['agent_idle_rss_mib']} MiB", "≤ 20 MiB", verdict(i["agent_idle_rss_mib"] <= 20)))
for qos in ("0", "1"):
    i = ingest.get(f"qos{qos}")
    if i and i.get("agent_rss_anon_mib_at_end"):
        rows.append((f"… of which at the end of the QoS {qos} drain: anonymous / file-backed (binary, libraries)",
                     f"{i['agent_rss_anon_mib_at_end']} / {i['agent_rss_file_mib_at_end']} MiB", "", ""))
for qos in ("0", "1"):
    i = ingest.get(f"qos{qos}")
    if i and i.get("agent_write_bytes_per_msg"):
        rows.append((f"Bytes written to storage per message (QoS {qos} drain, WAL + checkpoints)",
                     f"{fmt(i['agent_write_bytes_per_msg'])} B", "", ""))
if ingest:
    rows.append(("C ceiling's peak RSS", " / ".join(f"{ingest[q]['ceiling_peak_rss_mib']} MiB (QoS {q[-1]})" for q in ingest), "", ""))
if "idle" in results:
    i = results["idle"]
    rows.append((f"Idle CPU: {i['devices']} devices, {i['msgs_per_s']:.0f} msg/s, {i['wall_s']:.0f} s real time",
                 f"{i['agent_cpu_pct']:.2f} % of one core (C subscriber: {i['ceiling_cpu_pct']:.2f} %)", "< 1 %",
                 verdict(i["agent_cpu_pct"] < 1)))
    if i.get("agent_write_bytes_per_s") is not None:
        rows.append(("Storage writes at that school", f"{i['agent_write_bytes_per_s'] / 1e3:.0f} kB/s "
                     f"({i['agent_write_bytes_per_s'] * 86400 / 1e9:.1f} GB/day, {fmt(i['agent_write_bytes_per_msg'])} B per message)", "", ""))
    rows.append(("RSS at that school (IOC link up)", f"{i['agent_rss_mib']} MiB (peak {i['agent_peak_rss_mib']})", "≤ 20 MiB",
                 verdict(i["agent_peak_rss_mib"] <= 20)))
if "month" in disk_out:
    d = disk_out["month"]
    rows.append(("Disk per reading (readings table, a month-sized store)", f"{d['readings_table_bytes_per_reading']} B",
                 "≤ 40 B", verdict(d["readings_table_bytes_per_reading"] <= 40)))
    for label, title in (("ingest_q1", "as the agent wrote them (1,000 devices, 8 metrics)"),):
        if label in disk_out:
            rows.append((f"Disk per reading, {title}", f"{disk_out[label]['readings_table_bytes_per_reading']} B "
                         f"(whole store {disk_out[label]['store_used_bytes_per_reading']} B)", "≤ 40 B",
                         verdict(disk_out[label]["readings_table_bytes_per_reading"] <= 40)))
    p = disk_out.get("projection_30_days")
    if p:
        rows.append((f"Projected store, 30 days of {p['devices']} devices × 8,640 msg/day × {p['metrics_per_message']} metrics",
                     f"{p['total_gb']} GB ({p['readings'] / 1e6:.0f} M readings {p['readings_gb']} GB + usage rows {p['usage_rows_mb']} MB)", "", ""))
for key, c in cli.items():
    if key == "store":
        continue
    rows.append((f"`{c['command']}`", f"{c['median_ms']} ms (first run {c['first_run_ms']} ms, {c['peak_rss_mib']} MiB)", "< 200 ms",
                 verdict(c["median_ms"] < 200)))
for label, title in (("default", "default `ioc.max_messages_per_s = 500`"), ("unlimited", "rate limit off (100,000/s, 1,000 in flight)")):
    d = drain.get(label)
    if d:
        rows.append((f"Drain a week of backlog after the IOC returns, {title}",
                     f"{d['s']:.1f} s ({fmt(d['messages'])} messages, {d['mb']:.0f} MB; connect {d['connect_s']:.1f} s; "
                     f"missing {fmt(d['missing'])}, duplicates {fmt(d['duplicates'])})",
                     "< 60 s" if label == "default" else "",
                     verdict(d["s"] < 60 and d["missing"] == 0) if label == "default" else ""))

base = faults.get("none")
for attack, title in (("poison", "poison payloads"), ("flood", "a flood of new device ids")):
    f = faults.get(attack)
    if f and base:
        what = (f"{f['attack_messages']} × {f['poison_mib']} MiB, {f['payload_too_large']} dead letters"
                if attack == "poison" else
                f"{f['attack_messages']:,} new ids: {f['devices'] - base['devices']} admitted, {f['device_limit']:,} refused")
        ratio = f["good_msgs_per_s"] / base["good_msgs_per_s"]
        rows.append((f"Good QoS 1 stream during {title} ({what})",
                     f"{fmt(f['good_msgs_per_s'])} msg/s beside {fmt(base['good_msgs_per_s'])} without it ({ratio:.2f}); "
                     f"whole queue drained in {f['agent_s']:.2f} s (C subscriber {f['ceiling_s'] or 0:.2f} s, "
                     f"{base['ceiling_s'] or 0:.2f} s without the attack); peak RSS {f['agent_peak_rss_mib']} MiB", "", ""))

section = [
    f"## Issue #7 full suite — `Benchmarks/run-all.sh`{' --quick' if machine.get('quick') == '1' else ''}",
    "",
    f"Date {machine.get('date')}, commit {machine.get('commit')}; machine: `nproc` {machine.get('nproc')}, "
    f"{machine.get('cpu')}, {machine.get('os')}; Swift {machine.get('swift')}, mosquitto {machine.get('mosquitto')}, "
    f"SQLite {machine.get('sqlite')}. Load average at start {machine.get('load_at_start')}, at end {machine.get('load_at_end')} "
    "(the machine is shared: every rate is compared with its ceiling measured in the same run).",
    "",
    "| figure | measured | target | |",
    "|---|---|---|---|",
]
section += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
if ingest:
    section += ["", "Ingest runs (each: the broker is filled first, then each consumer drains it alone; "
                "timed from its process start to its last message received / committed):", "",
                "| QoS | run | first | ceiling msg/s | agent msg/s | ratio | agent peak RSS | messages committed (readings) |",
                "|---|---|---|---|---|---|---|---|"]
    for q, i in ingest.items():
        for r in i["runs"]:
            dropped = f"; the broker dropped {r['dropped_by_broker']:,} of the QoS 0 flood for both" if r["dropped_by_broker"] else ""
            section.append(f"| {q[-1]} | {r['run']} | {'agent' if r['agent_first'] else 'ceiling'} | {fmt(r['ceiling_msgs_per_s'])} | "
                           f"{fmt(r['agent_msgs_per_s'])} | {r['ratio']:.2f} | {r['agent_peak_rss_mib']} MiB | "
                           f"{fmt(r['messages_committed'])} ({fmt(r['readings_committed'])}){dropped} |")
    payload = next(iter(ingest.values()))["payload_bytes"]
    section += ["", f"{next(iter(ingest.values()))['messages']:,} messages from 1,000 devices, 8 metrics each, "
                f"{payload:.0f}-byte JSON payloads (~200 bytes per MQTT packet with the topic)."]
if live:
    section += ["", "Live stream, the issue-#2 method (`ingest-bench` publishes 6-metric messages while the agent runs):", "",
                "| QoS | messages | committed in | messages/s into SQLite | readings/s | agent peak RSS |", "|---|---|---|---|---|---|"]
    for q, l in sorted(live.items(), reverse=True):
        section.append(f"| {q[-1]} | {l['messages']:,} | {l['committed_s']:.2f} s | {l['msgs_per_s']:,} | {l['readings_per_s']:,} | {l['agent_peak_rss_mib']} MiB |")
if "store" in cli:
    s = cli["store"]
    section += ["", f"CLI store: {s['devices']} devices, {s['days']} days of window and day summaries, card scans and status "
                f"changes, {s['reading_days']} days of raw readings ({int(s['readings']):,}), {s.get('used_mb')} MB; "
                f"time zone {s['zone']} so the run falls at {s['local_time']} local (the end of the school's day: "
                "`stats --days 30` then adds up a whole day of windows, its worst case). Times include process start; "
                "median of 5 runs after a first one (reported apart)."]
if drain.get("backlog"):
    b = drain["backlog"]
    section += ["", f"Drain backlog: {fmt(b['window_summarys'])} window summaries (~{fmt(b['window_summary_avg_bytes'])} bytes each), "
                f"{fmt(b['daily_summarys'])} daily summaries, {fmt(b['events'])} events; {fmt(b['messages'])} messages, "
                f"{(b['bytes'] or 0) / 1e6:.0f} MB, over TLS with client certificates."]
section += ["", "How each figure is measured and the caveats: [README.md](README.md); the profile: [PROFILE.md](PROFILE.md).", ""]

text = open(out_md, encoding="utf-8").read() if os.path.exists(out_md) else "# Benchmark results\n"
head, sep, rest = text.partition("\n")
if not head.startswith("# "):
    head, rest = "# Benchmark results", text
with open(out_md, "w", encoding="utf-8") as f:
    f.write(head + "\n\n" + "\n".join(section) + "\n" + rest.lstrip("\n"))
print("\n".join(section))
