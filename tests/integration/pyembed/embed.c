/* An embedded CPython calling a GEMM through a C extension, as PyTorch does: the extension's
 * function releases the GIL, then makes the intercepted call. Prints what the call site says of
 * Python, as the analyzer reads it:
 *
 *     python 3.11: read from the thread state
 *     frame attention model.py:4
 *     ...
 *
 * Built by tests/integration/python_frames.sh against every CPython it finds. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "config.h"
#include "pyframes.h"
#include "stacks_fixture.h"

static PyObject *gemm_py(PyObject *self, PyObject *args) {
  (void)self, (void)args;
  uint32_t site;
  Py_BEGIN_ALLOW_THREADS site = gemm();
  Py_END_ALLOW_THREADS return PyLong_FromUnsignedLong(site);
}

static PyMethodDef methods[] = {{"gemm", gemm_py, METH_NOARGS, "a GEMM"}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef gemmext = {PyModuleDef_HEAD_INIT, "gemmext", NULL, -1, methods,
                                     NULL, NULL, NULL, NULL};
static PyObject *init_gemmext(void) { return PyModule_Create(&gemmext); }

static const char model[] = "import gemmext\n"
                            "\n"
                            "def attention(x):\n"
                            "    return gemmext.gemm()\n"
                            "\n"
                            "class Model:\n"
                            "    def forward(self):\n"
                            "        return attention(1)\n"
                            "\n"
                            "site = Model().forward()\n";

int main(void) {
  mfu_config_load();
  mfu_stacks_start(); /* before the interpreter, as when the shim is preloaded */
  PyImport_AppendInittab("gemmext", init_gemmext);
  Py_Initialize();
  PyObject *code = Py_CompileString(model, "model.py", Py_file_input);
  PyObject *module = code ? PyImport_ExecCodeModule("model", code) : NULL;
  PyObject *site = module ? PyObject_GetAttrString(module, "site") : NULL;
  if (!site) {
    PyErr_Print();
    return 1;
  }
  uint32_t id = (uint32_t)PyLong_AsUnsignedLong(site);
  struct trace_callsites t = {0};
  fx_take_sites(&t);
  static const char *const states[] = {
#define STATE(name, value, text) [value] = text,
      MFU_PY_STATES(STATE)
#undef STATE
  };
  printf("python %u.%u: %s\n", t.info.python_version >> 8, t.info.python_version & 0xff,
         states[t.info.python]);
  const struct trace_cs_site *s = trace_callsites_site(&t, id);
  if (!s) {
    printf("no call site\n");
    return 1;
  }
  for (unsigned i = 0; i < s->py_depth; i++) {
    const struct trace_cs_code *c = trace_callsites_code(&t, s->py[i].code);
    printf("frame %s %s:%d\n", c ? c->name : "?", c ? c->file : "?", s->py[i].line);
  }
  trace_callsites_free(&t);
  Py_Finalize();
  return 0;
}
