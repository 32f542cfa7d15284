"""Where batches of documents run: in this process, in a pool of worker processes, or on Ray.

Every executor maps a function over batches and yields the results in the order of the batches,
so the tables are the same whatever runs them. Models load once per worker process (or Ray actor)
through the lru_caches of `pipeline.models` and `pipeline.ner.stage`, never per document.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from itertools import islice

import pyarrow as pa

from .tables import from_ipc, to_ipc

log = logging.getLogger(__name__)

EXECUTORS = ("local", "ray")
RAY_LOCAL_CPUS = 2
RAY_WINDOW = 256  # batches per Ray Data job (each job starts its actors, which load their models)


def runtime_options(params: dict) -> dict:
    rt = params.get("runtime", {}) or {}
    executor = str(rt.get("executor") or "local")
    if executor not in EXECUTORS:
        raise ValueError(f"runtime.executor must be one of {EXECUTORS}, not {executor!r}")
    return {
        "executor": executor,
        "workers": max(1, int(rt.get("workers") or 1)),
        "batch_docs": max(1, int(rt.get("batch_docs") or 64)),
        "ray_address": rt.get("ray_address") or os.environ.get("RAY_ADDRESS") or None,
        "ray_concurrency": max(1, int(rt.get("ray_concurrency") or rt.get("workers") or 1)),
        "allow_network": bool(rt.get("allow_network", False)),
    }


def map_local(func: Callable, tasks: Iterable[tuple]) -> Iterator:
    for task in tasks:
        yield func(*task)


# ---------------------------------------------------------------- a pool of worker processes


def _worker_init(allow_network: bool) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if not allow_network:
        from .cli import network_off

        network_off()


@lru_cache(maxsize=4)
def process_pool(workers: int, allow_network: bool) -> ProcessPoolExecutor:
    """One pool per process and size, kept across stages (models stay loaded in the workers).

    'spawn' starts clean interpreters: no torch or spaCy threads inherited half-way through a fork.
    """
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_init, initargs=(allow_network,))
    atexit.register(pool.shutdown, wait=False, cancel_futures=True)
    log.info("started %d worker processes", workers)
    return pool


def map_pool(func: Callable, tasks: Iterable[tuple], workers: int, allow_network: bool) -> Iterator:
    """Results in task order, with at most 2 tasks per worker in flight (memory stays bounded)."""
    pool = process_pool(workers, allow_network)
    pending: deque = deque()
    for task in tasks:
        pending.append(pool.submit(func, *task))
        if len(pending) >= 2 * workers:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


# ---------------------------------------------------------------- Ray


_RAY_STARTED = False


def ray_init(address: str | None, allow_network: bool) -> None:
    """Connect to a Ray cluster at `address`, or start a small local instance (2 CPUs, no dashboard)."""
    global _RAY_STARTED
    import ray

    if ray.is_initialized():
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    env = {"env_vars": {"RAY_USAGE_STATS_ENABLED": "0", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "OMP_NUM_THREADS": "1"}}
    if address:
        log.info("connecting to the Ray cluster at %s", address)
        ray.init(address=address, runtime_env=env, log_to_driver=False)
    else:
        log.info("starting a local Ray instance with %d CPUs", RAY_LOCAL_CPUS)
        ray.init(num_cpus=RAY_LOCAL_CPUS, include_dashboard=False, _node_ip_address="127.0.0.1",
                 runtime_env=env, log_to_driver=False, configure_logging=False)
        _RAY_STARTED = True
    ray.data.DataContext.get_current().enable_progress_bars = False


class RayBatchRunner:
    """A Ray Data class UDF: one per actor, so each actor loads its models once."""

    def __init__(self, func: Callable, fixed: tuple, names: tuple[str, ...], allow_network: bool):
        self.func, self.fixed, self.names = func, fixed, names
        _worker_init(allow_network)

    def __call__(self, batch: dict) -> dict:
        from .cache import encode

        out = []
        for k in range(len(batch["idx"])):
            docs = from_ipc(batch["docs"][k]).to_pandas()
            tables = {name: from_ipc(batch[f"in_{name}"][k]).to_pandas() for name in self.names}
            out.append(encode(self.func(*self.fixed, docs, tables)))
        return {"idx": batch["idx"], "result": out}


def _ipc_frame(df) -> bytes:
    return to_ipc(pa.Table.from_pandas(df, preserve_index=False))


def map_ray(func: Callable, tasks: list[tuple], address: str | None, concurrency: int, allow_network: bool) -> Iterator:
    """Ray Data `map_batches` with an actor pool over the tasks, results in task order.

    A task is (fixed args..., documents frame, {table: frame}), the fixed args the same for all;
    frames travel as Arrow IPC, results as JSON.
    """
    import ray

    from .cache import decode

    if not tasks:
        return
    ray_init(address, allow_network)
    fixed, names = tasks[0][:-2], tuple(tasks[0][-1])
    items = [{"idx": i, "docs": _ipc_frame(task[-2]), **{f"in_{n}": _ipc_frame(task[-1][n]) for n in names}}
             for i, task in enumerate(tasks)]
    ds = ray.data.from_items(items, override_num_blocks=len(items))
    ds = ds.map_batches(RayBatchRunner, fn_constructor_args=(func, fixed, names, allow_network), batch_size=1,
                        compute=ray.data.ActorPoolStrategy(size=min(concurrency, len(items))), num_cpus=1, batch_format="numpy")
    for row in sorted(ds.take_all(), key=lambda r: int(r["idx"])):
        yield [tuple(r) for r in decode(row["result"])]


def map_batches(func: Callable, tasks: Iterable[tuple], options: dict) -> Iterator:
    """Run `func(*task)` for each task with the configured executor; results in task order.

    Tasks are drawn from the iterable as the executor needs them (a few per worker in flight; on Ray,
    RAY_WINDOW tasks per Ray Data job), so a long stream never sits in memory whole.
    """
    if options["executor"] == "ray":
        it = iter(tasks)
        return (result for window in iter(lambda: list(islice(it, RAY_WINDOW)), [])
                for result in map_ray(func, window, options["ray_address"], options["ray_concurrency"], options["allow_network"]))
    if options["workers"] > 1:
        return map_pool(func, tasks, options["workers"], options["allow_network"])
    return map_local(func, tasks)
