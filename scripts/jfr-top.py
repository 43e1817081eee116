#!/usr/bin/env python3
"""Summarises CPU samples of a JFR recording (e.g. from BENCH_JAVA_OPTS=-XX:StartFlightRecording=...)
per thread group, optionally within a time window, with each group's top self frames and the
share of samples whose stack passes through given package prefixes.

usage: jfr-top.py RECORDING.jfr [--from ISO] [--to ISO] [--top N]
"""
import argparse, collections, json, re, subprocess, os

ap = argparse.ArgumentParser()
ap.add_argument("jfr")
ap.add_argument("--from", dest="start")
ap.add_argument("--to", dest="end")
ap.add_argument("--top", type=int, default=12)
ap.add_argument("--stack", default="")
a = ap.parse_args()
jfr = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "jfr")
out = subprocess.run([jfr, "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample", a.jfr],
                     capture_output=True, text=True, check=True).stdout
events = json.loads(out)["recording"]["events"]

def group(name):
    g = re.sub(r"[-#_ .]*\d+([-#_ .]*\d+)*$", "", name)
    return g or name

CATEGORIES = [  # first match wins, looking from the top of the stack down
    ("JSON (protobuf JsonFormat / Jackson)", ("com.google.protobuf.util.JsonFormat", "com.fasterxml.jackson", "org.curioswitch")),
    ("protobuf (binary)", ("com.google.protobuf",)),
    ("HNSW search / vector scoring", ("org.apache.lucene.util.hnsw", "org.apache.lucene.internal.vectorization")),
    ("Lucene indexing (IndexWriter)", ("org.apache.lucene.index",)),
    ("Lucene (other)", ("org.apache.lucene",)),
    ("WAL", ("io.conifer.vectors.WriteAheadLog", "io.conifer.vectors.WriteOp")),
    ("gRPC / Armeria", ("io.grpc", "com.linecorp.armeria")),
    ("Netty", ("io.netty",)),
]

by_group = collections.Counter()
self_frames = collections.defaultdict(collections.Counter)
cats = collections.defaultdict(collections.Counter)
for e in events:
    v = e["values"]
    t = v["startTime"]
    if a.start and t < a.start: continue
    if a.end and t > a.end: continue
    g = group((v.get("sampledThread") or {}).get("javaName") or "?")
    frames = [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"] for f in (v.get("stackTrace") or {}).get("frames", [])]
    by_group[g] += 1
    if frames: self_frames[g][frames[0]] += 1
    cat = "other"
    for f in frames:
        hit = next((c for c, prefixes in CATEGORIES if f.startswith(prefixes)), None)
        if hit: cat = hit; break
    cats[g][cat] += 1
total = sum(by_group.values())
print(f"{total} samples")
for g, n in by_group.most_common():
    if n < total * 0.02: continue
    print(f"\n{g}: {n} samples ({100*n/total:.1f}%)")
    print("  by innermost recognised layer:")
    for c, k in cats[g].most_common(): print(f"    {100*k/n:5.1f}%  {c}")
    print("  top self frames:")
    for f, k in self_frames[g].most_common(a.top): print(f"    {100*k/n:5.1f}%  {f}")
