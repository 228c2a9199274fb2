"""The benchmark: does a page cost the same at 1,000, 10,000 and 100,000 assessments?

    make bench                                   # 1k, 10k and 100k; writes bench/RESULTS.md
    .venv/bin/python bench/run.py --quick        # 100, 300 and 1,000 assessments, a few rounds; a smoke test
    .venv/bin/python bench/run.py --sizes 1000,10000 --rounds 20 --out /tmp/results.md

What it does, in order:

1. Seeds one PostgreSQL database per size (``bench_1k``, ``bench_10k``, ``bench_100k`` on
   ``BENCH_PG``, default ``postgres://postgres@127.0.0.1:5432``) with ``bench/seed.py``. A
   database already seeded by the same seed version at the same size is reused (migrations are
   applied to it); any other is dropped and seeded again.
2. Serves the sizes side by side, one gunicorn each, in the production profile (DJANGO_DEBUG off,
   ``bench/settings.py``), and requests every page as the person who uses it, in shuffled rounds
   over all pages and sizes. Per page: queries at each size (the same request through Django's
   test client in a worker process, counted with ``CaptureQueriesContext``), median and p95 ms
   at each size, and the largest/smallest median ratio.
3. Throughput of the queue and the API list against the admin changelist, on the largest size's
   server, with concurrent clients.
4. The dossier render against bare WeasyPrint on the same HTML (``bench/dossier.py``).
5. The reminder sweeps on the two largest databases (time and queries, first run and the steady
   state's re-run, in a transaction that is rolled back).
6. Write throughput: answer edits and transitions per second with 1 and 8 concurrent clients on
   different assessments, on a copy of the largest database (dropped afterwards).

It writes the table to ``--out`` (``bench/RESULTS.md`` for the full run) with the date and the
machine, and exits non-zero when a goal of issue 14 is missed (see GOALS).
"""

import argparse
import concurrent.futures
import json
import os
import platform
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
KEY_FILE = ROOT / ".local" / "bench-audit-key.pem"
LOGS = Path(tempfile.gettempdir())
FULL_SIZES = [1000, 10000, 100000]
QUICK_SIZES = [100, 300, 1000]
PORT = 8610
WORKERS = 2  # gunicorn workers per size: the machine has 2 cores
THROUGHPUT_CLIENTS = 4
WRITE_CLIENTS = (1, 8)
NOTES_MARKER = "<!-- notes written by hand: kept by bench/run.py -->"
SWEEP_REPEAT = 5  # re-runs of each sweep (bench/worker.py); the fastest is reported
GOALS = {
    "page_ratio": 1.2,  # largest/smallest median time, every page
    "throughput_vs_admin": 2.0,  # queue and API list req/s over the admin changelist's, largest size
    "dossier_ratio": 1.25,  # dossier render over bare WeasyPrint on the same HTML
    "sweep_ratio": 2.0,  # sweeps, largest/second largest size
}
# (name, user, path); {team_pk} and {reviewer_pk} are filled in per database by the worker.
PAGES = [
    ("queue (Legal reviewer)", "bench_legal", "/committee/queue/"),
    ("list, default (chair)", "bench_chair", "/assessments/"),
    ("list, default (team member)", "bench_team", "/assessments/"),
    ("list ?state=legal_review (chair)", "bench_chair", "/assessments/?state=legal_review"),
    ("assessment page (team member)", "bench_team", "/assessments/{team_pk}/"),
    ("assessment page (current reviewer)", "bench_legal", "/assessments/{reviewer_pk}/"),
    ("GET /api/v1/assessments/ (chair)", "bench_chair", "/api/v1/assessments/"),
    ("Django admin changelist", "bench_admin", "/admin/assessments/assessment/"),
]
THROUGHPUT_PAGES = ["queue (Legal reviewer)", "GET /api/v1/assessments/ (chair)", "Django admin changelist"]
FACTS = {
    "assessment": "assessments",
    "feature": "features",
    "states": "states present (of 14)",
    "grant": "group grants",
    "sign_off": "sign-offs",
    "audit": "audit rows",
    "condition": "conditions",
    "open_stages": "open review stages",
}
HTTPS = {"X-Forwarded-Proto": "https"}  # as the TLS-terminating proxy of .env.production.example sets it


def label(size):
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


def db_name(size):
    return f"bench_{label(size)}"


def say(*args):
    print(*args, flush=True)


# -- environment of workers and servers ---------------------------------------------------------------


def environment(db, secret_key, extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CACHE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG="false",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DATABASE_URL=f"{PG}/{db}",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        AUDIT_SIGNING_KEY=str(KEY_FILE),
        AUDIT_PUBLIC_KEYS="",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra or {})
    return env


def worker(task, db, secret_key, *args, extra_env=None):
    """Run ``bench/worker.py task`` against ``db``; return its JSON answer."""
    result = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "worker.py"), task, *map(str, args)],
        env=environment(db, secret_key, extra_env),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-8000:])
        raise SystemExit(f"worker {task} on {db} failed")
    for line in result.stderr.splitlines():
        if line.startswith("  "):
            say(line)
    return json.loads(result.stdout.strip().splitlines()[-1])


def admin_sql(*statements):
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def run_sweeps(db, secret_key):
    """The sweeps on a copy of the database, each run committed as in production (its first run sends and
    moves schedules; the re-runs then see the committed state, as the next minute's sweep would); the copy
    is dropped afterwards, so the bench database stays as seeded."""
    copy = f"{db}_sweeps"
    admin_sql(
        f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)', f'CREATE DATABASE "{copy}" TEMPLATE "{db}" STRATEGY FILE_COPY'
    )
    try:
        return worker("sweeps", copy, secret_key)
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def database_exists(db):
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone() is not None


# -- 1. seeding --------------------------------------------------------------------------------------


def prepare(size, secret_key):
    db = db_name(size)
    if database_exists(db):
        info = worker("marker", db, secret_key)
        if info.get("version") == info.get("wanted") and info.get("size") == size:
            say(f"{db}: seeded before (seed version {info['version']}, {size:,} assessments); reusing it")
            return worker("migrate", db, secret_key)
        say(f"{db}: seeded by another version or size; dropping it")
        admin_sql(f'DROP DATABASE "{db}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{db}"')
    say(f"{db}: seeding {size:,} assessments")
    started = time.perf_counter()
    counts = worker("seed", db, secret_key, size)
    say(f"{db}: seeded in {time.perf_counter() - started:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return worker("migrate", db, secret_key)


# -- 2. servers --------------------------------------------------------------------------------------


class Server:
    def __init__(self, db, port, secret_key, workers=WORKERS, extra_env=None):
        self.db, self.port = db, port
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(LOGS / f"raia-bench-{db}.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
                "--no-control-socket",  # several servers (and other checkouts') would share one path
            ],
            env=environment(db, secret_key, extra_env),
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait(self):
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if requests.get(self.url + "/accounts/login/", headers=HTTPS, timeout=30).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn for {self.db} exited; see {self.log.name}")
            time.sleep(0.3)
        raise SystemExit(f"gunicorn for {self.db} did not answer; see {self.log.name}")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def session_for(server, cookie):
    session = requests.Session()
    session.headers.update(HTTPS)
    session.headers["Cookie"] = f"sessionid={cookie}"
    return session


def get(session, url):
    start = time.perf_counter()
    response = session.get(url, timeout=120, allow_redirects=False)
    ms = (time.perf_counter() - start) * 1000
    return response.status_code, ms


def p95(values):
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def measure_pages(sizes, servers, setups, rounds):
    """Shuffled rounds over every (page, size); returns {page: {size: [ms]}}."""
    sessions = {
        (size, user): session_for(servers[size], cookie)
        for size in sizes
        for user, cookie in setups[size]["cookies"].items()
    }
    plan = [(page, size) for page in range(len(PAGES)) for size in sizes]
    timings = {PAGES[p][0]: {size: [] for size in sizes} for p in range(len(PAGES))}
    rng = random.Random(14)
    for round_no in range(rounds + 1):  # round 0 warms every worker's caches and is not counted
        rng.shuffle(plan)
        for page, size in plan:
            name, user, _ = PAGES[page]
            path = setups[size]["paths"][name]
            status, ms = get(sessions[(size, user)], servers[size].url + path)
            if status != 200:
                raise SystemExit(f"{name} at {label(size)}: HTTP {status} for {path}")
            if round_no:
                timings[name][size].append(ms)
        if round_no and round_no % 5 == 0:
            say(f"  round {round_no}/{rounds}")
    return timings


def measure_throughput(server, setup, seconds):
    """Requests per second of each throughput page with THROUGHPUT_CLIENTS clients, in alternating slices."""
    done = dict.fromkeys(THROUGHPUT_PAGES, 0)
    spent = dict.fromkeys(THROUGHPUT_PAGES, 0.0)
    errors = dict.fromkeys(THROUGHPUT_PAGES, 0)
    order = THROUGHPUT_PAGES + THROUGHPUT_PAGES[::-1]
    slice_seconds = seconds / 2
    for name in order:
        user = next(u for n, u, _ in PAGES if n == name)
        url = server.url + setup["paths"][name]
        stop_at = time.perf_counter() + slice_seconds
        lock = threading.Lock()

        def client(url=url, user=user, stop_at=stop_at, name=name, lock=lock):
            session = session_for(server, setup["cookies"][user])
            count = bad = 0
            while time.perf_counter() < stop_at:
                status, _ = get(session, url)
                if status == 200:
                    count += 1
                else:
                    bad += 1
            with lock:
                done[name] += count
                errors[name] += bad

        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(THROUGHPUT_CLIENTS) as pool:
            list(pool.map(lambda _: client(), range(THROUGHPUT_CLIENTS)))
        spent[name] += time.perf_counter() - start
    return {name: {"rps": done[name] / spent[name], "errors": errors[name]} for name in THROUGHPUT_PAGES}


# -- 6. writes ----------------------------------------------------------------------------------------


def measure_writes(server, setup, seconds):
    """Answer edits and transitions per second with 1 and 8 clients, each on its own assessment."""
    results = {}
    for kind in ("answer edits", "transitions"):
        for clients in WRITE_CLIENTS:
            jobs = setup["edits" if kind == "answer edits" else "transitions"][:clients]
            stop_at = time.perf_counter() + seconds
            counts, failures, latencies = [0] * clients, [0] * clients, [[] for _ in range(clients)]

            def run(i, jobs=jobs, stop_at=stop_at, kind=kind, counts=counts, failures=failures, lat=latencies):
                job = jobs[i]
                sessions = {}
                for who, token in job["tokens"].items():
                    s = requests.Session()
                    s.headers.update({**HTTPS, "Authorization": f"Token {token}"})
                    sessions[who] = s
                url = f"{server.url}/api/v1/assessments/{job['pk']}/"
                step = 0
                state = job["state"]
                while time.perf_counter() < stop_at:
                    start = time.perf_counter()
                    if kind == "answer edits":
                        text = f"{job['purpose']} (bench edit {i}.{step})"
                        response = sessions["team"].patch(
                            url, json={"answers": {"overview.purpose": text}}, timeout=120
                        )
                    else:
                        name, who, body = _next_transition(state)
                        response = sessions[who].post(url + "transitions/", json={"name": name, **body}, timeout=120)
                        if response.status_code == 200:
                            state = job["state"] = response.json()["state"]
                    lat[i].append((time.perf_counter() - start) * 1000)
                    if response.status_code == 200:
                        counts[i] += 1
                    else:
                        failures[i] += 1
                        if failures[i] == 1:
                            say(f"  {kind} client {i}: HTTP {response.status_code} {response.text[:300]}")
                        if failures[i] > 20:
                            return
                    step += 1

            start = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(clients) as pool:
                list(pool.map(run, range(clients)))
            elapsed = time.perf_counter() - start
            all_lat = [ms for lat in latencies for ms in lat]
            results[(kind, clients)] = {
                "per_second": sum(counts) / elapsed,
                "failures": sum(failures),
                "median_ms": statistics.median(all_lat) if all_lat else 0,
                "p95_ms": p95(all_lat) if all_lat else 0,
            }
            say(
                f"  {kind}, {clients} client(s): {results[(kind, clients)]['per_second']:.1f}/s, "
                f"{sum(failures)} failures"
            )
    return results


def _next_transition(state):
    """A cycle one assessment can repeat forever: submit, Legal requests changes, resubmit, ..."""
    if state == "draft":
        return "submit", "team", {}
    if state == "changes_requested":
        return "resubmit", "team", {"comment": "Bench: added how a client appeals a match."}
    return "request_changes", "reviewer", {"comment": "Bench: say how a client appeals a match."}


# -- results ------------------------------------------------------------------------------------------


def machine():
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with psycopg.connect(f"{PG}/postgres") as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "postgres": pg,
        "python": platform.python_version(),
        "load": os.getloadavg(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and few rounds: a smoke test")
    parser.add_argument("--sizes", help="comma-separated numbers of assessments (default 1000,10000,100000)")
    parser.add_argument("--rounds", type=int, help="timed rounds over every page and size (default 30)")
    parser.add_argument("--seconds", type=float, help="seconds per throughput and write measurement (default 20)")
    parser.add_argument("--out", help="where to write the results (default bench/RESULTS.md; --quick: /tmp)")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: dossier,sweeps,writes")
    parser.add_argument("--seed-only", action="store_true", help="seed (or check) the databases, then stop")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else (QUICK_SIZES if args.quick else FULL_SIZES)
    sizes = sorted(sizes)
    rounds = args.rounds or (4 if args.quick else 30)
    seconds = args.seconds or (3 if args.quick else 20)
    out = Path(args.out or (LOGS / "raia-bench-quick.md" if args.quick else ROOT / "bench" / "RESULTS.md"))
    skip = set(filter(None, args.skip.split(",")))
    if not KEY_FILE.exists():
        KEY_FILE.parent.mkdir(exist_ok=True)
        subprocess.run(
            [PYTHON, "-c", "from assessments.signing import new_private_key_pem as k; print(k(), end='')"],
            cwd=ROOT,
            stdout=KEY_FILE.open("w"),
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        KEY_FILE.chmod(0o600)
    secret_key = secrets.token_urlsafe(50)
    started = datetime.now(UTC)
    facts = {}
    for size in sizes:
        facts[size] = prepare(size, secret_key)
    if args.seed_only:
        return 0

    say("setting up sessions and counting queries")
    setups = {size: worker("setup", db_name(size), secret_key) for size in sizes}
    servers = {}
    try:
        for index, size in enumerate(sizes):
            servers[size] = Server(db_name(size), PORT + index, secret_key)
        for server in servers.values():
            server.wait()
        say(f"timing {len(PAGES)} pages at {len(sizes)} sizes, {rounds} shuffled rounds")
        timings = measure_pages(sizes, servers, setups, rounds)
        say(f"throughput at {label(sizes[-1])}, {THROUGHPUT_CLIENTS} clients, {seconds:.0f} s per page")
        throughput = measure_throughput(servers[sizes[-1]], setups[sizes[-1]], seconds)
    finally:
        for server in servers.values():
            server.stop()

    dossier = None
    if "dossier" not in skip:
        say("dossier render against bare WeasyPrint")
        dossier = run_dossier(args.quick)
    sweeps = {}
    if "sweeps" not in skip:
        for size in sizes[-2:]:
            say(f"sweeps at {label(size)}")
            sweeps[size] = run_sweeps(db_name(size), secret_key)
    writes = None
    if "writes" not in skip:
        writes = run_writes(sizes[-1], secret_key, seconds)

    report, missed = results(
        sizes, facts, setups, timings, throughput, dossier, sweeps, writes, started, rounds, seconds, args.quick
    )
    # Notes written by hand below the marker (why a goal is missed) survive a new run.
    if out.exists() and NOTES_MARKER in out.read_text():
        report += "\n" + NOTES_MARKER + out.read_text().split(NOTES_MARKER, 1)[1]
    out.write_text(report)
    say("")
    say(report)
    say(f"written to {out}")
    if missed:
        say(f"GOALS MISSED: {len(missed)}")
        for line in missed:
            say(f"  - {line}")
        return 1
    say("every goal met")
    return 0


def run_dossier(quick):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_JSON": "1", "DJANGO_DEBUG": "true"}
    env.pop("DATABASE_URL", None)
    if quick:
        env.setdefault("BENCH_DOSSIER_REPEAT", "2")
    result = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "dossier.py")], cwd=ROOT, env=env, capture_output=True, text=True
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
    raise SystemExit("bench/dossier.py gave no result")


def run_writes(size, secret_key, seconds):
    source, copy = db_name(size), f"{db_name(size)}_writes"
    say(f"write throughput on a copy of {source}")
    admin_sql(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)', f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
    redis = {"REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")}
    server = None
    try:
        setup = worker("write-setup", copy, secret_key, max(WRITE_CLIENTS), extra_env=redis)
        server = Server(copy, PORT + 9, secret_key, workers=max(WRITE_CLIENTS), extra_env=redis)
        server.wait()
        return measure_writes(server, setup, seconds)
    finally:
        if server is not None:
            server.stop()
        admin_sql(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def results(sizes, facts, setups, timings, throughput, dossier, sweeps, writes, started, rounds, seconds, quick):
    """The Markdown report, and the list of goals missed."""
    missed = []
    small, large = sizes[0], sizes[-1]
    info = machine()
    lines = [
        "# Benchmark results" + (" (quick smoke run: not a measurement)" if quick else ""),
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC by `make bench` (`bench/run.py`), {rounds} shuffled rounds per page and "
        "size after one warm-up round.",
        f"Machine: {info['cores']} cores, {info['cpu']}; PostgreSQL {info['postgres']}; Python {info['python']}; "
        f"load average at the end {info['load'][0]:.2f} / {info['load'][1]:.2f} / {info['load'][2]:.2f}.",
        "",
        "## Data",
        "",
        "| | " + " | ".join(label(s) for s in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for key, title in FACTS.items():
        lines.append(f"| {title} | " + " | ".join(f"{facts[s].get(key, 0):,}" for s in sizes) + " |")
    lines += [
        "",
        f"## Pages (gunicorn, {WORKERS} sync workers per size, DEBUG off; one request at a time)",
        "",
        "| page | queries "
        + " / ".join(label(s) for s in sizes)
        + " | "
        + " | ".join(f"{label(s)} median ms | {label(s)} p95 ms" for s in sizes)
        + f" | {label(large)}/{label(small)} |",
        "|---|---|" + "---|---|" * len(sizes) + "---|",
    ]
    for name, _, _ in PAGES:
        queries = [setups[s]["queries"][name] for s in sizes]
        medians = {s: statistics.median(timings[name][s]) for s in sizes}
        ratio = medians[large] / medians[small]
        flags = []
        if len(set(queries)) != 1:
            flags.append("queries differ")
            missed.append(f"{name}: query counts {queries} differ between sizes")
        if ratio > GOALS["page_ratio"]:
            flags.append(f"> {GOALS['page_ratio']}")
            missed.append(f"{name}: {label(large)}/{label(small)} median ratio {ratio:.2f} > {GOALS['page_ratio']}")
        lines.append(
            f"| {name} | {' / '.join(map(str, queries))} | "
            + " | ".join(f"{medians[s]:.0f} | {p95(timings[name][s]):.0f}" for s in sizes)
            + f" | {ratio:.2f}{' **' + ', '.join(flags) + '**' if flags else ''} |"
        )
    admin = throughput["Django admin changelist"]["rps"]
    lines += [
        "",
        f"## Throughput at {label(large)} ({THROUGHPUT_CLIENTS} concurrent clients, same server and data, "
        f"{seconds:.0f} s each in two alternating slices)",
        "",
        "| page | req/s | / admin changelist | errors |",
        "|---|---|---|---|",
    ]
    for name in THROUGHPUT_PAGES:
        rps = throughput[name]["rps"]
        times = rps / admin if admin else 0
        flag = ""
        if name != "Django admin changelist" and times < GOALS["throughput_vs_admin"]:
            flag = f" **< {GOALS['throughput_vs_admin']}**"
            missed.append(f"{name}: {times:.2f} times the admin changelist's req/s < {GOALS['throughput_vs_admin']}")
        lines.append(f"| {name} | {rps:.1f} | {times:.2f}{flag} | {throughput[name]['errors']} |")
    if dossier:
        ratio = dossier["ratio"]
        flag = ""
        if ratio > GOALS["dossier_ratio"]:
            flag = f" **> {GOALS['dossier_ratio']}**"
            missed.append(f"dossier render {ratio:.2f} times bare WeasyPrint > {GOALS['dossier_ratio']}")
        lines += [
            "",
            f"## Dossier ({dossier['entries']} audit events, {dossier['pages']} pages; fastest CPU time of "
            f"{dossier['repeat']} alternating runs)",
            "",
            "| | CPU s (min) | CPU s (median) | wall s (median) |",
            "|---|---|---|---|",
            f"| dossier render (record, template, PDF/A-3b) | {dossier['render']['cpu_min']:.3f} | "
            f"{dossier['render']['cpu_median']:.3f} | {dossier['render']['wall_median']:.3f} |",
            f"| bare WeasyPrint, same HTML | {dossier['bare']['cpu_min']:.3f} | {dossier['bare']['cpu_median']:.3f} "
            f"| {dossier['bare']['wall_median']:.3f} |",
            f"| ratio | {ratio:.2f}{flag} | | |",
        ]
    if sweeps:
        sized = sorted(sweeps)
        lo, hi = sized[0], sized[-1]
        lines += [
            "",
            "## Reminder sweeps (on a copy of the database, every run committed)",
            "",
            "Open review stages: "
            + ", ".join(f"{label(s)}: {sweeps[s]['open_stages']:,} ({sweeps[s]['overdue']:,} overdue)" for s in sized)
            + ". "
            "First run: sends everything due, once; its work grows with the notices due, so its goal is "
            f"the time per notice. Re-run: the same moment again, the steady state of a sweep that runs every "
            f"minute (it finds everything already sent); fastest of {SWEEP_REPEAT}; goal: "
            f"{label(hi)}/{label(lo)} ≤ {GOALS['sweep_ratio']}. Both: equal query counts.",
            "",
            "| sweep | run | "
            + " | ".join(f"{label(s)} ms | {label(s)} queries | {label(s)} notices" for s in sized)
            + f" | {label(hi)}/{label(lo)} |",
            "|---|---|" + "---|---|---|" * len(sized) + "---|",
        ]
        for name in sweeps[lo]["sweeps"]:
            for run in ("first", "again"):
                row = [sweeps[s]["sweeps"][name][run] for s in sized]
                ratio = row[-1]["ms"] / row[0]["ms"] if row[0]["ms"] else 0
                flags = []
                if len({r["queries"] for r in row}) != 1:
                    flags.append("queries differ")
                if run == "again" and ratio > GOALS["sweep_ratio"]:
                    flags.append(f"> {GOALS['sweep_ratio']}")
                if run == "first" and row[0]["notices"] and row[-1]["notices"]:
                    # A first run's work is the notices due, which grow with the open stages: its goal is
                    # the time per notice.
                    per_notice = (row[-1]["ms"] / row[-1]["notices"]) / (row[0]["ms"] / row[0]["notices"])
                    if per_notice > GOALS["sweep_ratio"]:
                        flags.append(f"time per notice {per_notice:.2f} times > {GOALS['sweep_ratio']}")
                if flags:
                    missed.append(f"sweep {name} ({run} run): {label(hi)}/{label(lo)} {ratio:.2f}; {', '.join(flags)}")
                lines.append(
                    f"| {name} | {run} | "
                    + " | ".join(f"{r['ms']:.0f} | {r['queries']} | {r['notices']:,}" for r in row)
                    + f" | {ratio:.2f}{' **' + ', '.join(flags) + '**' if flags else ''} |"
                )
    if writes:
        lines += [
            "",
            f"## Writes at {label(large)} (the API, token auth; each client on its own assessment; "
            f"{max(WRITE_CLIENTS)} gunicorn workers; {seconds:.0f} s each; no goal yet)",
            "",
            "| write | clients | per second | median ms | p95 ms | failures |",
            "|---|---|---|---|---|---|",
        ]
        for (kind, clients), w in writes.items():
            lines.append(
                f"| {kind} | {clients} | {w['per_second']:.1f} | {w['median_ms']:.0f} | {w['p95_ms']:.0f} | "
                f"{w['failures']} |"
            )
    lines += ["", "## Goals (issue 14)", ""]
    lines += [f"- MISSED: {m}" for m in missed] or ["- every goal met"]
    lines.append("")
    return "\n".join(lines), missed


if __name__ == "__main__":
    sys.exit(main())
