"""Linkage benchmark: pairwise precision, recall, F1, run time and peak memory.

Three synthetic lists (an official list with surname and initials only, an NGO list in
Cyrillic, a media list in Latin script under mixed conventions) are linked by models v3,
v2 and v1 and, in the same run, by the baseline (Splink's stock name comparison on the
names as written; its blocking, on the raw strings too, is the first word of the name with
the date or the place, and the first three letters with both, see
``civicspace.victims.linkage.baseline``). Each (size, model) runs in its own process so
peak memory is its own; a model that exceeds ``--timeout`` seconds is reported as such.

    python bench/linkage.py --records 1000 100000 1000000
    python bench/linkage.py --records 1000000 --models v3 --timeout 1800
    python bench/linkage.py --records 100000 --names narrow   # the first, smaller name pools
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

CAPTURE_PER_PERSON = 1.44  # records per person with the default lists (measured)


def blocking_recall(frame: object, truth: dict[str, int], model: str) -> float:
    """Share of the true cross-list pairs that the model's blocking rules put up for
    scoring at all (no model can link a pair its blocking never compares)."""
    import duckdb

    from civicspace.victims.linkage import MODELS

    module = MODELS[model]
    rules = [
        r if isinstance(r, str) else r.get_blocking_rule("duckdb").blocking_rule_sql
        for r in module.blocking_rules()
    ]
    con = duckdb.connect()
    con.execute("SET memory_limit = '2GB'")
    prepare = getattr(module, "prepare", lambda f: f)  # columns derived for blocking
    people = prepare(frame).assign(person_id=frame["unique_id"].map(truth))  # type: ignore[attr-defined]
    con.register("records", people)
    caught = " or ".join(f"coalesce(({rule}), false)" for rule in rules)
    total, hit = con.execute(
        "select count(*), count(*) filter (where " + caught + ") from records l join records r "
        "on l.person_id = r.person_id and l.list_name < r.list_name"
    ).fetchone()
    return hit / total if total else 1.0


def child(records: int, model: str, engine: str, seed: int, names: str) -> dict[str, object]:
    import pandas as pd

    from civicspace.victims.linkage import link_records
    from civicspace.victims.linkage.accuracy import pairwise_accuracy
    from civicspace.victims.normalise import NORMALISED_FIELDS, normalise
    from civicspace.victims.synth import make_lists

    started = time.perf_counter()
    lists = make_lists(int(records / CAPTURE_PER_PERSON), seed=seed, names=names)
    truth = lists.truth()
    # column by column, one record at a time: no list of a million row dicts
    normalised = tuple(NORMALISED_FIELDS) if model != "baseline" else ()
    raw_fields = tuple(f for f in ("name", "gender", "date", "place") if f not in normalised)
    fields = raw_fields + normalised
    columns: dict[str, list[object]] = {f: [] for f in ("unique_id", "list_name", *fields)}
    for name in list(lists.lists):
        for r in lists.lists.pop(name):
            columns["unique_id"].append(r["record_id"])
            columns["list_name"].append(name)
            for k in raw_fields:
                columns[k].append(r[k])
            if model != "baseline":
                for k, v in normalise(r).items():
                    columns[k].append(v)
    frame = pd.DataFrame(columns)
    del columns, lists
    prepared = time.perf_counter() - started
    result = link_records(frame, model=model, engine=engine)
    accuracy = pairwise_accuracy(result.clusters, truth)
    peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {
        "records": len(frame),
        "model": model,
        "engine": engine,
        "precision": round(accuracy.precision, 4),
        "recall": round(accuracy.recall, 4),
        "f1": round(accuracy.f1, 4),
        "true_pairs": accuracy.true_pairs,
        "link_seconds": round(result.seconds, 1),
        "prepare_seconds": round(prepared, 1),
        "peak_rss_mb": peak_mb,
        "threshold": result.threshold,
        "blocking_recall": round(blocking_recall(frame, truth, model), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=[1000, 100000])
    parser.add_argument("--models", nargs="+", default=["v3", "v2", "v1", "baseline"])
    parser.add_argument("--engine", default="duckdb")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument(
        "--names",
        choices=("wide", "narrow"),
        default="wide",
        help="synthetic name pools (narrow: the generator's first, smaller pools)",
    )
    parser.add_argument(
        "--timeout", type=float, default=None, help="seconds allowed per (size, model)"
    )
    parser.add_argument("--child", nargs=3, metavar=("RECORDS", "MODEL", "ENGINE"))
    args = parser.parse_args()
    if args.child:
        records, model, engine = args.child
        print(json.dumps(child(int(records), model, engine, args.seed, args.names)))
        return
    print(
        f"{'records':>9} {'model':>9} {'precision':>9} {'recall':>7} {'F1':>7} "
        f"{'link s':>7} {'prep s':>7} {'peak MB':>8} {'blocking recall':>15}"
    )
    for records in args.records:
        for model in args.models:
            try:
                out = (
                    subprocess.run(
                        [
                            sys.executable,
                            __file__,
                            "--child",
                            str(records),
                            model,
                            args.engine,
                            "--seed",
                            str(args.seed),
                            "--names",
                            args.names,
                        ],
                        capture_output=True,
                        text=True,
                        check=True,
                        timeout=args.timeout,
                    )
                    .stdout.strip()
                    .splitlines()[-1]
                )
            except subprocess.TimeoutExpired:
                print(
                    f"{records:>9} {model:>9}   did not finish in {args.timeout:.0f} s", flush=True
                )
                continue
            except subprocess.CalledProcessError as exc:
                last = (exc.stderr or "").strip().splitlines()[-1:] or ["no message"]
                print(f"{records:>9} {model:>9}   failed: {last[0][:200]}", flush=True)
                continue
            r = json.loads(out)
            print(
                f"{r['records']:>9} {r['model']:>9} {r['precision']:>9.4f} {r['recall']:>7.4f} "
                f"{r['f1']:>7.4f} {r['link_seconds']:>7.1f} {r['prepare_seconds']:>7.1f} "
                f"{r['peak_rss_mb']:>8} {r['blocking_recall']:>15.4f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
