#!/usr/bin/env python3
"""Python's multiprocessing side of the mp4j benchmarks (standard library only).

Each benchmark runs the same work as its Java counterpart in io.mp4j.bench and prints one JSON
object per line on standard output with the raw timings; the Java harness computes medians and
percentiles itself, so both sides are summarised the same way. Progress and errors go to
standard error.

    python3 mp_bench.py info
    python3 mp_bench.py map --items 1000000 --warmup 2 --rounds 5
    python3 mp_bench.py async --tasks 50000 --warmup 1 --rounds 5
    python3 mp_bench.py apply --warmup 50000 --calls 5000
    python3 mp_bench.py factor --count 10000 --warm 200
    python3 mp_bench.py startup --method spawn --runs 5
"""

import argparse
import json
import multiprocessing
import os
import platform
import sys
import time

FIRST_FACTORED = 1_000_000_000


def square(x):
    return x * x


def factors(n):
    """The prime factors of n, smallest first, by trial division (as the Java task does)."""
    found = []
    while n % 2 == 0:
        found.append(2)
        n //= 2
    d = 3
    while d * d <= n:
        while n % d == 0:
            found.append(d)
            n //= d
        d += 2
    if n > 1:
        found.append(n)
    return found


def emit(**fields):
    print(json.dumps(fields), flush=True)


def elapsed_since(start_ns):
    return (time.perf_counter_ns() - start_ns) / 1e9


def bench_info(_args):
    emit(bench="info",
         python=platform.python_version(),
         implementation=platform.python_implementation(),
         start_method=multiprocessing.get_start_method(),
         cpu_count=os.cpu_count())


def bench_map(args):
    items = list(range(args.items))
    expected_last = square(args.items - 1)
    with multiprocessing.Pool(args.processes) as pool:
        def one_round():
            start = time.perf_counter_ns()
            results = pool.map(square, items)
            seconds = elapsed_since(start)
            if len(results) != args.items or results[-1] != expected_last:
                raise RuntimeError("map returned wrong results")
            return seconds

        warmup = [one_round() for _ in range(args.warmup)]
        rounds = [one_round() for _ in range(args.rounds)]
    emit(bench="map", items=args.items, processes=args.processes,
         start_method=multiprocessing.get_start_method(), warmup_s=warmup, rounds_s=rounds)


def bench_async(args):
    with multiprocessing.Pool(args.processes) as pool:
        def one_round():
            start = time.perf_counter_ns()
            pending = [pool.apply_async(square, (i,)) for i in range(args.tasks)]
            results = [r.get() for r in pending]
            seconds = elapsed_since(start)
            if results[-1] != square(args.tasks - 1):
                raise RuntimeError("apply_async returned wrong results")
            return seconds

        warmup = [one_round() for _ in range(args.warmup)]
        rounds = [one_round() for _ in range(args.rounds)]
    emit(bench="async", tasks=args.tasks, processes=args.processes,
         start_method=multiprocessing.get_start_method(), warmup_s=warmup, rounds_s=rounds)


def bench_apply(args):
    with multiprocessing.Pool(args.processes) as pool:
        for i in range(args.warmup):
            pool.apply(square, (i,))
        latencies = []
        for i in range(args.calls):
            start = time.perf_counter_ns()
            pool.apply(square, (i,))
            latencies.append(time.perf_counter_ns() - start)
    emit(bench="apply", warmup=args.warmup, calls=args.calls, processes=args.processes,
         start_method=multiprocessing.get_start_method(), latencies_ns=latencies)


def bench_factor(args):
    numbers = list(range(FIRST_FACTORED, FIRST_FACTORED + args.count))
    warm = numbers[:args.warm]
    for n in warm:
        factors(n)
    start = time.perf_counter_ns()
    sequential = [factors(n) for n in numbers]
    sequential_s = elapsed_since(start)
    with multiprocessing.Pool(args.processes) as pool:
        # Excludes starting the workers, as the Java side does.
        pool.map(factors, warm)
        start = time.perf_counter_ns()
        parallel = pool.map(factors, numbers)
        parallel_s = elapsed_since(start)
    if parallel != sequential:
        raise RuntimeError("the pool's factors differ from the sequential ones")
    emit(bench="factor", count=args.count, warm=args.warm, processes=args.processes,
         start_method=multiprocessing.get_start_method(), sequential_s=sequential_s,
         parallel_s=parallel_s)


def bench_startup(args):
    context = multiprocessing.get_context(args.method)
    samples = []
    # One extra run: the first is the cold one, reported apart from the median.
    for _ in range(args.runs + 1):
        start = time.perf_counter_ns()
        pool = context.Pool(args.processes)
        try:
            pool.apply(square, (1,))
            samples.append(elapsed_since(start))
        finally:
            pool.terminate()
            pool.join()
    emit(bench="startup", method=args.method, processes=args.processes, samples_s=samples)


def produce_ints(queue, count):
    for i in range(count):
        queue.put(i)


def produce_kibibytes(queue, count):
    item = bytes(1024)
    for _ in range(count):
        queue.put(item)


def echo(conn):
    # A forked child also holds the parent's end, so closing it sends no EOF: None stops it.
    for message in iter(conn.recv, None):
        conn.send(message)
    conn.close()


def receive_then_answer(conn, count):
    for _ in range(count):
        conn.recv()
    conn.send(count)


def nothing():
    pass


def queue_rate(target, count):
    queue = multiprocessing.Queue()
    producer = multiprocessing.Process(target=target, args=(queue, count))
    producer.start()
    queue.get()
    start = time.perf_counter_ns()
    for _ in range(count - 1):
        queue.get()
    seconds = elapsed_since(start)
    producer.join()
    return (count - 1) / seconds


def bench_ipc(args):
    rounds = 5  # as many as the Java side's median takes
    ints = sorted(queue_rate(produce_ints, args.items) for _ in range(rounds))[rounds // 2]
    kib = sorted(queue_rate(produce_kibibytes, args.items)
                 for _ in range(rounds))[rounds // 2]

    parent, child_end = multiprocessing.Pipe()
    child = multiprocessing.Process(target=echo, args=(child_end,))
    child.start()
    child_end.close()
    for i in range(args.calls * 10):  # as many warm-up round trips as the Java side makes
        parent.send(i)
        parent.recv()
    latencies = []
    for i in range(args.calls):
        start = time.perf_counter_ns()
        parent.send(i)
        parent.recv()
        latencies.append(time.perf_counter_ns() - start)
    parent.send(None)
    child.join()
    parent.close()

    def one_way():
        messages = args.calls * 5
        parent, child_end = multiprocessing.Pipe()
        child = multiprocessing.Process(target=receive_then_answer, args=(child_end, messages))
        child.start()
        start = time.perf_counter_ns()
        for i in range(messages):
            parent.send(i)
        parent.recv()
        seconds = elapsed_since(start)
        child.join()
        return messages / seconds
    one_way_rate = sorted(one_way() for _ in range(rounds))[rounds // 2]

    def start_join_ms(method):
        ctx = multiprocessing.get_context(method)
        for _ in range(10):
            p = ctx.Process(target=nothing)
            p.start()
            p.join()
        samples = []
        for _ in range(args.cycles):
            start = time.perf_counter_ns()
            p = ctx.Process(target=nothing)
            p.start()
            p.join()
            samples.append(elapsed_since(start) * 1e3)
        samples.sort()
        return samples[len(samples) // 2]

    emit(bench="ipc", start_method=multiprocessing.get_start_method(),
         queue_ints_per_s=ints, queue_kib_per_s=kib, pipe_latencies_ns=latencies,
         pipe_one_way_per_s=one_way_rate,
         process_start_join_ms=start_join_ms(multiprocessing.get_start_method()),
         process_start_join_spawn_ms=start_join_ms("spawn"))


def dict_ops(d, count):
    """Sets then gets count keys after a fifth as many untimed; the timed part's start and end
    by perf_counter_ns, one clock for every process on Linux."""
    for i in range(count // 5):
        d[i] = i
        d[i]
    start = time.perf_counter_ns()
    for i in range(count):
        d[i] = i
        d[i]
    return start, time.perf_counter_ns()


def lock_pairs(lock, count):
    """Takes and releases the lock count times after a fifth as many untimed; as dict_ops."""
    for _ in range(count // 5):
        lock.acquire()
        lock.release()
    start = time.perf_counter_ns()
    for _ in range(count):
        lock.acquire()
        lock.release()
    return start, time.perf_counter_ns()


def rate_over(windows, operations):
    """Operations per second from the first window's start to the last one's end."""
    first = min(start for start, _ in windows)
    last = max(end for _, end in windows)
    return operations / ((last - first) / 1e9)


def increment(value, count):
    for _ in range(count):
        with value.get_lock():
            value.value += 1


def bench_manager(args):
    with multiprocessing.Manager() as manager:
        d = manager.dict()
        lock = manager.Lock()
        with multiprocessing.Pool(args.callers) as pool:
            pool.starmap(dict_ops, [(d, args.ops // 10)] * args.callers, 1)
            pool.starmap(lock_pairs, [(lock, args.ops // 10)] * args.callers, 1)
            dict_one = rate_over([pool.apply(dict_ops, (d, args.ops))], 2 * args.ops)
            lock_one = rate_over([pool.apply(lock_pairs, (lock, args.ops))], args.ops)
            dict_four = rate_over(pool.starmap(dict_ops, [(d, args.ops)] * args.callers, 1),
                                  2 * args.ops * args.callers)
            lock_four = rate_over(pool.starmap(lock_pairs, [(lock, args.ops)] * args.callers, 1),
                                  args.ops * args.callers)
    value = multiprocessing.Value("i", 0)
    start = time.perf_counter_ns()
    workers = [multiprocessing.Process(target=increment, args=(value, args.increments))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    increments_per_s = 2 * args.increments / elapsed_since(start)
    if value.value != 2 * args.increments:
        raise RuntimeError("the value ended at %d" % value.value)
    emit(bench="manager", start_method=multiprocessing.get_start_method(),
         dict_one_per_s=dict_one, lock_one_per_s=lock_one, dict_four_per_s=dict_four,
         lock_four_per_s=lock_four, value_increments_per_s=increments_per_s)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="bench", required=True)

    commands.add_parser("info", help="Python version and defaults")

    def command(name, help_text):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--processes", type=int, default=2)
        return sub

    sub = command("map", "Pool.map of square over --items ints")
    sub.add_argument("--items", type=int, default=1_000_000)
    sub.add_argument("--warmup", type=int, default=2)
    sub.add_argument("--rounds", type=int, default=5)

    sub = command("async", "apply_async of square --tasks times, then get each")
    sub.add_argument("--tasks", type=int, default=50_000)
    sub.add_argument("--warmup", type=int, default=1)
    sub.add_argument("--rounds", type=int, default=5)

    sub = command("apply", "sequential Pool.apply round trips")
    sub.add_argument("--warmup", type=int, default=2_000)
    sub.add_argument("--calls", type=int, default=5_000)

    sub = command("factor", "factor --count ints from 1e9, sequential and Pool.map")
    sub.add_argument("--count", type=int, default=10_000)
    sub.add_argument("--warm", type=int, default=200)

    sub = command("startup", "time from Pool() to the first apply result")
    sub.add_argument("--method", choices=["spawn", "fork", "forkserver"], default="spawn")
    sub.add_argument("--runs", type=int, default=5)

    sub = commands.add_parser("ipc", help="Queue, Pipe and Process between processes")
    sub.add_argument("--items", type=int, default=20_000)
    sub.add_argument("--calls", type=int, default=2_000)
    sub.add_argument("--cycles", type=int, default=50)

    sub = commands.add_parser("manager", help="Manager dict and Lock, shared-memory Value")
    sub.add_argument("--ops", type=int, default=10_000)
    sub.add_argument("--callers", type=int, default=4)
    sub.add_argument("--increments", type=int, default=4_000)

    return parser.parse_args(argv)


BENCHMARKS = {
    "info": bench_info,
    "map": bench_map,
    "async": bench_async,
    "apply": bench_apply,
    "factor": bench_factor,
    "startup": bench_startup,
    "ipc": bench_ipc,
    "manager": bench_manager,
}


def main(argv):
    args = parse_args(argv)
    BENCHMARKS[args.bench](args)
    return 0


# The guard matters: the 'spawn' start method imports this file in every worker.
if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
