#!/usr/bin/env bash
# Diagnoses MiniLM GPU speed: Python torch.jit with and without CUBLAS_WORKSPACE_CONFIG, on the
# main thread and a second thread, then the worker at 1 and 4 threads (payload: scripts/gpu-payload.sh).
set -e
PY=/opt/torch/.venv/bin/python
M=$(mktemp -d)
$PY tools/make_minilm.py $M --weights .local/gpu/minilm-f16.safetensors --inputs .local/gpu/minilm.inputs.json --no-verify > /dev/null
for mode in plain ws thread ws-thread; do $PY tools/gpu_probe.py $mode $M/minilm.pt; done
export LD_LIBRARY_PATH=$($PY -c "import torch,os;print(os.path.dirname(torch.__file__))")/lib
cp worker/tests/fixtures/*.pt worker/tests/fixtures/mlp.json worker/tests/fixtures/cnn.json $M/
for t in 1 4; do
  .local/gpu/synod-worker --listen 127.0.0.1:7402 --device cuda --threads $t --models-dir $M --cache-dir $M/c$t > $M/w.log 2>&1 & P=$!
  sleep 3
  $PY - <<PYEOF
import sys; sys.argv=["x"]; sys.path.insert(0,"tools")
from gpu_check import *
import json, struct
from pathlib import Path
mm=json.loads(Path("$M/minilm.json").read_text()); ids=json.loads(Path("$M/minilm.inputs.json").read_text())["ids"]
for b in (1,32):
    rows=(ids*32)[:b]; raw=struct.pack(f"<{b*64}q",*sum(rows,[]))
    load=WorkerLoad(Worker("http://127.0.0.1:7402"),mm,raw,f"t$t-{b}"); jps=100/load.seconds(100); med=sorted(load.inference_ms)[50]
    print(f"worker threads $t batch {b}: {jps:.1f} jobs/s, median inference {med:.2f} ms")
PYEOF
  kill $P; wait $P || true
done
