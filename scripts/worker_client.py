"""HTTP client of synod-worker and throughput helpers, shared by gpu_check.py and
bench_worker.py (stdlib only; torch only for the Python baseline)."""
import base64
import http.client as httpclient
import json
import statistics
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


def worker_throughput(w, manifest, raw, n, tag):
    """(jobs/s, median inference ms, mean inference ms): n jobs (one input each) submitted in
    batch requests of up to 512 (under 1.5 MB each); wall time from the first submission until
    the worker's queue is empty (`GET /health` every 5 ms), then every result is read and
    checked. As a load generator should, the client encodes its requests before the clock
    starts and polls with the cheapest call, so that its own work takes little from the machine
    it measures."""
    w.run(f"{tag}-warm", manifest, raw)  # load + warm-up; the worker now knows the manifest
    b64 = base64.b64encode(raw).decode()
    ids = [f"{tag}-{i}" for i in range(n)]
    # Requests stay under the worker's 2 MB body limit.
    per_request = max(1, min(512, 1_500_000 // (len(b64) + 100)))
    bodies = [json.dumps({"jobs": [{"id": i, "model_hash": manifest["hash"], "input_b64": b64} for i in chunk]}).encode()
              for chunk in chunks(ids, per_request)]
    t0 = time.time()
    for body in bodies:
        w.submit_batch(body)
    while True:
        s, v = w.request("GET", "/health")
        if s == 200 and v["queue_depth"] == 0:
            break
        time.sleep(0.005)
    wall = time.time() - t0
    infer = {}
    for chunk in chunks(ids, 1024):
        for i, v in zip(chunk, w.query(chunk)):
            if not v or v["status"] != "succeeded":
                raise RuntimeError(f"job {i} did not succeed: {v and (v['status'], v.get('error'))}")
            infer[i] = v["timings"]["inference_ms"]
    values = list(infer.values())
    return n / wall, statistics.median(values), statistics.mean(values)


def python_throughput(pt, device, batch, n, threads, ids=None, cpus=None):
    """Python torch.jit batches/s on `pt` with the worker's settings (deterministic, no TF32,
    no cuDNN autotuning, `threads` intra-op threads); `ids` is the input tensor (MiniLM token
    ids by default). With `cpus`, the loop runs on those CPUs only (as a pinned worker's
    inference thread does)."""
    import os
    if cpus is None:
        return _python_throughput(pt, device, batch, n, threads, ids)
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        return _python_throughput(pt, device, batch, n, threads, ids)
    finally:
        os.sched_setaffinity(0, before)


def _python_throughput(pt, device, batch, n, threads, ids):
    import torch
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    m = torch.jit.load(str(pt), map_location=device).eval()
    if ids is None:
        ids = torch.randint(1000, 29999, (batch, 64), dtype=torch.int64)
    with torch.no_grad():
        for _ in range(3):
            m(ids.to(device)).cpu()
        t0 = time.time()
        for _ in range(n):
            m(ids.to(device)).cpu()
        return n / (time.time() - t0)
