/* Which GPU a thread records on, so that the analyzer can pick its peak. Asked of the CUDA
 * runtime the program uses (never loaded by the shim): the current device, its name and a
 * few attributes whose ABI is stable across CUDA 12 and 13. A program without a dynamic CUDA
 * runtime (static cudart) gets no DEVICE record; the analyzer then needs --device. */
#include <cuda_runtime_api.h>
#include <string.h>

#include "device.h"
#include "resolve.h"
#include "ring.h"

/* cudaDeviceProp grew between CUDA versions, but `name` has always been its first field:
 * a buffer larger than any version's struct reads it safely from either. */
union any_device_prop {
  struct cudaDeviceProp prop;
  char bytes[4096];
};

static int attribute(cudaError_t (*get)(int *, enum cudaDeviceAttr, int), enum cudaDeviceAttr a,
                     int device) {
  int value;
  return get && get(&value, a, device) == cudaSuccess ? value : -1;
}

void mfu_device_note(struct mfu_ring *r) {
  static _Atomic(void *) get_device_fn, props_fn, attr_fn;
  cudaError_t (*get_device)(int *) = mfu_real_quiet(&get_device_fn, "cudaGetDevice", MFU_HOOK_CUDART);
  cudaError_t (*props)(struct cudaDeviceProp *, int) =
      mfu_real_quiet(&props_fn, "cudaGetDeviceProperties", MFU_HOOK_CUDART);
  cudaError_t (*attr)(int *, enum cudaDeviceAttr, int) =
      mfu_real_quiet(&attr_fn, "cudaDeviceGetAttribute", MFU_HOOK_CUDART);
  int device;
  union any_device_prop p;
  if (!get_device || !props || get_device(&device) != cudaSuccess ||
      props(&p.prop, device) != cudaSuccess)
    return;
  struct mfu_record *rec = mfu_ring_slot(r);
  if (!rec) return;
  uint64_t now = mfu_clock_stamp();
  *rec = (struct mfu_record){.kind = MFU_REC_DEVICE, .tid = r->tid, .t_start_ns = now, .t_end_ns = now};
  struct mfu_device *d = &rec->u.device;
  d->ordinal = device;
  d->sm_count = attribute(attr, cudaDevAttrMultiProcessorCount, device);
  d->cc_major = attribute(attr, cudaDevAttrComputeCapabilityMajor, device);
  d->cc_minor = attribute(attr, cudaDevAttrComputeCapabilityMinor, device);
  memcpy(d->name, p.prop.name, sizeof d->name - 1); /* the record is zeroed: NUL-terminated */
  mfu_ring_publish(r);
}
