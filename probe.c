#include <cuda_runtime_api.h>
#include <stdio.h>
int main(void) {
  int v = 0;
  cudaError_t stub = cudaGraphicsUnregisterResource(NULL), real = cudaRuntimeGetVersion(&v);
  printf("%s %d %s\n", cudaGetErrorName(stub), real, v >= 12000 ? "versioned" : "unversioned");
  return 0;
}
