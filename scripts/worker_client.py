"""HTTP client of synod-worker and throughput helpers, shared by gpu_check.py and
bench_worker.py (stdlib only; torch only for the Python baseline)."""
import base64
import json
import statistics
import time
import urllib.error
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


def worker_throughput(w, manifest, raw, n, tag):
    """(jobs/s, median inference ms, mean inference ms): n jobs submitted at once, then awaited."""
    w.run(f"{tag}-warm", manifest, raw)  # load + warm-up
    t0 = time.time()
    for i in range(n):
        w.submit(f"{tag}-{i}", manifest, raw)
    infer = [w.wait(f"{tag}-{i}")["timings"]["inference_ms"] for i in range(n)]
    wall = time.time() - t0
    return n / wall, statistics.median(infer), statistics.mean(infer)


def python_throughput(pt, device, batch, n, threads, ids=None):
    """Python torch.jit batches/s on `pt` with the worker's settings (deterministic, no TF32,
    no cuDNN autotuning, `threads` intra-op threads); `ids` is the input tensor (MiniLM token
    ids by default)."""
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
