"""HTTP client of synod-worker and throughput helpers, shared by gpu_check.py and
bench_worker.py (stdlib only; torch only for the Python baseline)."""
import base64
import http.client as httpclient
import json
import time
import urllib.error
import urllib.parse
import urllib.request


def http(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


class Worker:
    def __init__(self, url):
        self.url = url.rstrip("/")
        u = urllib.parse.urlparse(self.url)
        self._host, self._port = u.hostname, u.port or 80
        self._conn = None

    def request(self, method, path, body=None):
        """(status, JSON) over one kept-alive connection (reopened once if the worker closed it);
        `body` is JSON-encoded, unless it is bytes already."""
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        for attempt in (0, 1):
            try:
                if self._conn is None:
                    self._conn = httpclient.HTTPConnection(self._host, self._port, timeout=120)
                self._conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
                r = self._conn.getresponse()
                return r.status, json.loads(r.read() or b"{}")
            except (httpclient.HTTPException, OSError):
                self._conn = None
                if attempt:
                    raise

    def submit_batch(self, jobs):
        """Submits many jobs in one request (`POST /v1/batch/submit`); raises on any refusal.
        `jobs` is a list of job requests, or the request body already encoded."""
        s, v = self.request("POST", "/v1/batch/submit", jobs if isinstance(jobs, bytes) else {"jobs": jobs})
        bad = [i for i in v.get("jobs", []) if i.get("code") not in (200, 202)]
        if s != 200 or bad:
            raise RuntimeError(f"batch submit: {s} {bad[:3] or v}")

    def query(self, ids):
        """Views of many jobs (`POST /v1/batch/query`), None for unknown ids."""
        s, v = self.request("POST", "/v1/batch/query", {"ids": ids})
        if s != 200:
            raise RuntimeError(f"batch query: {s} {v}")
        return v["jobs"]

    def submit(self, job_id, manifest, raw):
        s, v = http("POST", f"{self.url}/v1/jobs", {
            "id": job_id, "model": manifest, "input_b64": base64.b64encode(raw).decode()})
        if s not in (200, 202):
            raise RuntimeError(f"submit {job_id}: {s} {v}")

    def wait(self, job_id, timeout=600):
        t0 = time.time()
        while True:
            s, v = http("GET", f"{self.url}/v1/jobs/{job_id}")
            if v.get("status") in ("succeeded", "failed"):
                return v
            if time.time() - t0 > timeout:
                raise RuntimeError(f"job {job_id} timed out: {v}")
            time.sleep(0.002)

    def run(self, job_id, manifest, raw):
        self.submit(job_id, manifest, raw)
        return self.wait(job_id)


def chunks(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]


class WorkerLoad:
    """Load for one running worker: `seconds(n)` submits n jobs of one input (`raw`, for
    `manifest`) and returns their wall time; `inference_ms` collects each job's forward-pass
    time as the worker reports it. The requests (up to 512 jobs, under 1.5 MB each; the first
    one small, so that inference starts at once) are encoded before the clock starts; the
    clock runs from the first submission until the worker's queue is empty (`GET /health`, polled every millisecond: jobs queued or running, so the last
    job's quantization and digest are in), then every result is read and checked. As a load
    generator should, the client does its own work off the clock and polls with the cheapest
    call, so that it takes little from the machine it measures."""

    def __init__(self, w, manifest, raw, tag):
        self.w, self.manifest, self.tag, self.count, self.inference_ms = w, manifest, tag, 0, []
        self.b64 = base64.b64encode(raw).decode()
        w.run(f"{tag}-warm", manifest, raw)  # load + warm-up; the worker now knows the manifest

    def seconds(self, n):
        ids = [f"{self.tag}-{self.count + i}" for i in range(n)]
        self.count += n
        per_request = max(1, min(512, 1_500_000 // (len(self.b64) + 100)))  # under the 2 MB limit
        groups = chunks(ids[:8], 8) + chunks(ids[8:], per_request)
        bodies = [json.dumps({"jobs": [{"id": i, "model_hash": self.manifest["hash"], "input_b64": self.b64}
                                       for i in group]}).encode() for group in groups if group]
        t0 = time.perf_counter()
        for body in bodies:
            self.w.submit_batch(body)
        while True:
            s, v = self.w.request("GET", "/health")
            if s == 200 and v["queue_depth"] == 0:
                break
            time.sleep(0.001)
        wall = time.perf_counter() - t0
        for group in chunks(ids, 1024):
            for i, v in zip(group, self.w.query(group)):
                if not v or v["status"] != "succeeded":
                    raise RuntimeError(f"job {i} did not succeed: {v and (v['status'], v.get('error'))}")
                self.inference_ms.append(v["timings"]["inference_ms"])
        return wall


class TorchLoop:
    """Python torch.jit on `pt` with the worker's settings (deterministic, no TF32, no cuDNN
    autotuning, `threads` intra-op threads), loaded once and warmed up: `seconds(n)` times n
    forward passes of `x` (a CPU tensor, copied to the device and the output back each time, as
    the worker does). With `cpus`, the loop runs on those CPUs only (as a pinned worker's
    inference thread does)."""

    def __init__(self, pt, device, threads, x, cpus=None):
        import torch
        self.torch, self.device, self.x, self.cpus = torch, device, x, cpus
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        self.m = torch.jit.load(str(pt), map_location=device).eval()
        self.seconds(3)  # the profiling executor optimizes after a few runs

    def seconds(self, n):
        import os
        before = os.sched_getaffinity(0)
        if self.cpus:
            os.sched_setaffinity(0, self.cpus)
        try:
            with self.torch.no_grad():
                t0 = time.perf_counter()
                for _ in range(n):
                    self.m(self.x.to(self.device)).cpu()
                return time.perf_counter() - t0
        finally:
            os.sched_setaffinity(0, before)


def interleaved(sides, n, rounds):
    """Runs each side (name -> function of n returning seconds) for n jobs, one after the other,
    `rounds` times, the order reversed every other round: {name: [seconds of each round]}. A
    machine whose speed drifts (a shared VM) then slows both sides of a round alike."""
    out = {name: [] for name in sides}
    names = list(sides)
    for r in range(rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            out[name].append(sides[name](n))
    return out


def paired_ratio(base, other, resamples=2000, seed=0):
    """Throughput ratio of `other` over `base` from paired rounds of equal n (seconds of each
    round): pooled (Σ base ÷ Σ other: the ratio of the two throughputs over the whole run),
    the median of the rounds' ratios, and a 95% bootstrap interval of the pooled ratio
    (rounds resampled in pairs)."""
    import random
    pairs = list(zip(base, other))
    pooled = sum(base) / sum(other)
    each = sorted(b / o for b, o in pairs)
    rnd = random.Random(seed)
    boot = []
    for _ in range(resamples):
        sample = [rnd.choice(pairs) for _ in pairs]
        boot.append(sum(b for b, _ in sample) / sum(o for _, o in sample))
    boot.sort()
    return {"pooled": pooled, "median": each[len(each) // 2], "min": each[0], "max": each[-1],
            "ci_low": boot[int(0.025 * resamples)], "ci_high": boot[int(0.975 * resamples) - 1]}


def verdict(ci_low, ci_high, target):
    """Whether a ratio's 95% interval lies above, below or across the target."""
    return "meets" if ci_low >= target else "below" if ci_high < target else "undecided"
