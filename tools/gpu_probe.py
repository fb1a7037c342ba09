"""Times MiniLM under Python torch.jit in one mode (see scripts/gpu-probe.sh)."""
import os, sys, time, threading
mode = sys.argv[1]
if mode in ("ws", "ws-thread", "ws-pool"):
    os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"
import torch
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
torch.backends.cudnn.benchmark = False
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
m = torch.jit.load(sys.argv[2], map_location="cuda").eval()
res = {}
def bench(batch, n=100):
    ids = torch.randint(1000, 29999, (batch, 64), dtype=torch.int64)
    with torch.no_grad():
        for _ in range(3): m(ids.to("cuda")).cpu()
        t0 = time.time()
        for _ in range(n): m(ids.to("cuda")).cpu()
    res[batch] = (time.time() - t0) / n * 1000
def run():
    for b in (1, 32): bench(b)
if mode.endswith("thread"):
    t = threading.Thread(target=run); t.start(); t.join()
elif mode.endswith("pool"):
    for b in (1, 32):
        t = threading.Thread(target=bench, args=(b,)); t.start(); t.join()
else:
    run()
print(f"{mode:10} ms/batch: b1 {res[1]:.2f}  b32 {res[32]:.2f}")
