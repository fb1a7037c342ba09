// Determinism switches of ATen's global context that tch does not wrap.
#include <ATen/Context.h>

extern "C" {

// Deterministic algorithms (error on a nondeterministic op), no cuDNN autotuning, no TF32.
void synod_set_deterministic(int on) {
  auto &ctx = at::globalContext();
  ctx.setDeterministicAlgorithms(on != 0, /*warn_only=*/false);
  ctx.setDeterministicCuDNN(on != 0);
  ctx.setBenchmarkCuDNN(false);
  ctx.setAllowTF32CuBLAS(false);
  ctx.setAllowTF32CuDNN(false);
}

int synod_deterministic_enabled() {
  return at::globalContext().deterministicAlgorithms() ? 1 : 0;
}

}
