#!/usr/bin/env python3
"""Every function a CUDA header declares, and a stub for each one a test double lacks.

    gen_stubs.py LIBRARY --cuda-include DIR [--objects OBJ...] [--out FILE] [--list]

LIBRARY is cudart, cublas, cublaslt or nccl. The header's declarations are read from the
preprocessor's output (cc -E, as C, and as C++ for what the header declares for C++ only), so
the list is the header's own, not a hand-kept one. --list prints the function names. Otherwise
the C file written defines, for every function that the objects (the double's hand-written
code, read with nm) do not define, a stub with the header's prototype that returns the
library's "not supported" status (other return types: zero), and says so on stderr when
MFU_DOUBLE_VERBOSE=1. The runtime's per-thread-stream forms (_ptds, _ptsz) of functions the
double defines call them; NCCL's stubs are pncclX with the weak alias ncclX, as NCCL's own."""
import argparse
import os
import re
import subprocess
import sys

LIBRARIES = {
    # headers, the status type and its "not supported" value, preprocessor variants
    "cudart": (["cuda_runtime_api.h", "cuda_profiler_api.h"], "cudaError_t",
               "cudaErrorNotSupported", [[], ["-DCUDA_API_PER_THREAD_DEFAULT_STREAM"]]),
    "cublas": (["cublas_api.h"], "cublasStatus_t", "CUBLAS_STATUS_NOT_SUPPORTED", [[]]),
    "cublaslt": (["cublasLt.h"], "cublasStatus_t", "CUBLAS_STATUS_NOT_SUPPORTED", [[]]),
    "nccl": (["nccl.h"], "ncclResult_t", "ncclInvalidUsage", [[]]),
}
LINE_MARKER = re.compile(r'^#\s*\d+\s+"([^"]*)"')
IDENT = re.compile(r"[A-Za-z_]\w*")


def preprocess(header, include, cxx, defines):
    cmd = ["c++" if cxx else "cc", "-E", "-x", "c++" if cxx else "c", "-I", include] + defines
    out = subprocess.run(cmd + ["-"], input=f"#include <{header}>\n", capture_output=True,
                         text=True, check=True)
    return out.stdout


def statements(text, header):
    """Top-level declarations (text up to a ';') from `header` itself, bodies skipped."""
    current, buf, depth, transparent = None, [], 0, 0
    for line in text.splitlines():
        m = LINE_MARKER.match(line)
        if m:
            current = os.path.basename(m.group(1))
            continue
        if line.startswith("#"):
            continue
        for ch in line + "\n":
            if depth == 0 and ch == "{" and " ".join("".join(buf).split()) == 'extern "C"':
                transparent += 1  # extern "C" { ... }: its contents are top level
                buf = []
                continue
            if depth == 0 and ch == "}" and transparent:
                transparent -= 1
                buf = []
                continue
            buf.append(ch)
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0 and re.search(r"\)\s*(const\s*)?\{", "".join(buf)):
                    buf = []  # a function definition (static inline): not the library's
            elif ch == ";" and depth == 0:
                if current == header:
                    yield " ".join("".join(buf).split())
                buf = []


def strip_attributes(s):
    """Removes __attribute__((...)), __declspec(...) and extern/"C"."""
    out, i = [], 0
    while i < len(s):
        m = re.match(r"(__attribute__|__declspec|__asm__|asm)\s*\(", s[i:])
        if m and (i == 0 or not (s[i - 1].isalnum() or s[i - 1] == "_")):
            j, depth = i + m.end(), 1
            while j < len(s) and depth:
                depth += {"(": 1, ")": -1}.get(s[j], 0)
                j += 1
            i = j
            continue
        out.append(s[i])
        i += 1
    s = "".join(out)
    s = re.sub(r'\bextern\s*"C"', "", s)
    return " ".join(re.sub(r"\bextern\b", "", s).split())


def split_params(params):
    parts, depth, cur = [], 0, []
    for ch in params:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur).strip())
    return [] if parts == ["void"] else parts


def param_name(p):
    m = re.search(r"\(\s*\*\s*([A-Za-z_]\w*)\s*\)", p)  # a function pointer
    if m:
        return m.group(1)
    names = IDENT.findall(re.sub(r"\[[^\]]*\]", "", p))
    return names[-1] if names else None


def functions(text, header, cxx):
    """name -> (return type, parameter text) of every function `header` declares."""
    found = {}
    for st in statements(text, header):
        st = strip_attributes(st.rstrip(";"))
        if re.match(r"(typedef|static|struct\s+\w+\s*\{|enum|union|template|using|namespace)\b", st):
            continue
        m = re.match(r"^(?P<ret>[^()]*?)\b(?P<name>[A-Za-z_]\w*)\s*\((?P<params>.*)\)$", st)
        if not m or not m.group("ret").strip() or "=" in m.group("ret"):
            continue
        params = m.group("params")
        if cxx:
            params = re.sub(r"\s*=\s*[^,()]+", "", params)  # default arguments
        found[m.group("name")] = (m.group("ret").strip(), params.strip() or "void")
    return found


def header_functions(library, include):
    headers, _, _, variants = LIBRARIES[library]
    found = {}
    for header in headers:
        for cxx in (False, True):
            for defines in variants:
                text = preprocess(header, include, cxx, defines)
                for name, proto in functions(text, header, cxx).items():
                    found.setdefault(name, proto + (cxx, bool(defines)))
    return found


def defined_symbols(objects):
    names = set()
    for obj in objects:
        out = subprocess.run(["nm", "--defined-only", obj], capture_output=True, text=True,
                             check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TtWwVv" and parts[1].isupper():
                names.add(parts[2])
    return names


def stub(name, ret, params, status_type, unsupported):
    body = "double_unsupported(\"%s\")" % name
    if ret == "void":
        return f"{ret} {name}({params}) {{ {body}; }}"
    if ret == status_type:
        return f"{ret} {name}({params}) {{ {body}; return {unsupported}; }}"
    return f"{ret} {name}({params}) {{ {body}; return ({ret}){{0}}; }}"


def generate(library, include, defined):
    headers, status_type, unsupported, _ = LIBRARIES[library]
    found = header_functions(library, include)
    out = [f"/* Generated by tests/doubles/gen_stubs.py from {', '.join(headers)}: the functions",
           " * the double does not define, each returning \"not supported\". Do not edit. */",
           "#include <stdio.h>", "#include <stdlib.h>"]
    out += [f"#include <{h}>" for h in headers]
    out += ["#if !defined(__cplusplus)", "typedef struct __half __half;",
            "typedef struct __nv_bfloat16 __nv_bfloat16;", "#endif",
            '#pragma GCC diagnostic ignored "-Wunused-parameter"',
            '#pragma GCC diagnostic ignored "-Wdeprecated-declarations"',
            "static void double_unsupported(const char *name) {",
            "  const char *v = getenv(\"MFU_DOUBLE_VERBOSE\");",
            "  if (v && *v == '1') fprintf(stderr, \"mfushim test double: %s is not supported\\n\", name);",
            "}", ""]
    for name in sorted(found):
        ret, params, cxx_only, variant_only = found[name]
        if name in defined:
            continue
        if library == "nccl" and name.startswith("nccl") and "p" + name in found:
            continue  # the alias of pncclX, below
        if library == "nccl" and name.startswith("pnccl") and name[1:] in defined:
            continue
        declare = cxx_only or variant_only  # not declared by the header as compiled here
        base = re.sub(r"_pt(sz|ds)$", "", name)
        if base != name and base in defined:
            args = [param_name(p) for p in split_params(params)]
            if None in args:
                sys.exit(f"gen_stubs.py: {name}: a parameter without a name in ({params})")
            if declare:
                out.append(f"{ret} {name}({params});")
            call = f"{base}({', '.join(args)})"
            out.append(f"{ret} {name}({params}) {{ {'' if ret == 'void' else 'return '}{call}; }}")
            continue
        if declare:
            out.append(f"{ret} {name}({params});")
        out.append(stub(name, ret, params, status_type, unsupported))
        if library == "nccl" and name.startswith("pnccl"):
            out.append(f'extern __typeof__({name}) {name[1:]} __attribute__((weak, alias("{name}")));')
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("library", choices=sorted(LIBRARIES))
    ap.add_argument("--cuda-include", required=True)
    ap.add_argument("--objects", nargs="*", default=[])
    ap.add_argument("--out")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    if a.list:
        found = header_functions(a.library, a.cuda_include)
        print("\n".join(sorted(found)))
        return
    text = generate(a.library, a.cuda_include, defined_symbols(a.objects))
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
