/* A library that test_stacks loads with dlopen after the shim's module map was made: its
 * function must still be named in the call sites it appears in. */
#include <stdint.h>

__attribute__((noinline, visibility("default"))) uint32_t dlopened_gemm(uint32_t (*intercepted)(void)) {
  uint32_t site = intercepted();
  __asm__ volatile("" ::: "memory"); /* keeps this frame: no tail call */
  return site;
}
