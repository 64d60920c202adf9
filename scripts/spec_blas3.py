#!/usr/bin/env python3
"""Writes include/mfu/api_spec_blas3.h, the spec entries of cuBLAS's non-GEMM Level-3
routines, from the toolkit's cublas_api.h:

    python3 scripts/spec_blas3.py /usr/local/cuda/include/cublas_api.h > include/mfu/api_spec_blas3.h

Every symm, hemm, syrk, herk, syrkx, herkx, syr2k, her2k, trmm, trsm and trsmBatched
declaration (typed, Ex, 3mEx, _64) becomes one X(name, (params), (args), BLAS3(...)) entry."""
import re
import sys

ROUTINES = [  # (pattern of the name after the type letter, routine)
    (r"symm", "SYMM"), (r"hemm", "HEMM"), (r"syrkx", "SYRKX"), (r"herkx", "HERKX"),
    (r"syrk(3m)?(Ex)?", "SYRK"), (r"herk(3m)?(Ex)?", "HERK"), (r"syr2k", "SYR2K"),
    (r"her2k", "HER2K"), (r"trmm", "TRMM"), (r"trsm(Batched)?", "TRSM"),
]
TYPES = {"S": "CUDA_R_32F", "D": "CUDA_R_64F", "C": "CUDA_C_32F", "Z": "CUDA_C_64F"}
COMPUTE = {"S": "MFU_COMPUTE_BY_MODE", "C": "MFU_COMPUTE_BY_MODE",
           "D": "CUBLAS_COMPUTE_64F", "Z": "CUBLAS_COMPUTE_64F"}
NA = "MFU_BLAS3_NA"


def describe(name, params):
    m = re.fullmatch(r"cublas([SDCZ])([a-z0-9A-Z]+?)(_v2)?(_64)?", name)
    letter, body = m.group(1), m.group(2)
    routine = next(r for pat, r in ROUTINES if re.fullmatch(pat, body))
    names = [p[1] for p in params]
    atype = "Atype" if "Atype" in names else TYPES[letter]
    ctype = "Ctype" if "Ctype" in names else TYPES[letter]
    batch = "batchCount" if "batchCount" in names else "1"
    side = "side" if "side" in names else NA
    trans = "trans" if "trans" in names else NA
    diag = "diag" if "diag" in names else NA
    if routine in ("SYMM", "HEMM", "TRMM", "TRSM"):
        m_, n_, k_ = "m", "n", "0"
    else:  # rank-k updates: C is n x n, k the inner dimension
        m_, n_, k_ = "n", "n", "k"
    return (f"BLAS3(MFU_BLAS3_{routine}, {side}, uplo, {trans}, {diag}, {m_}, {n_}, {k_}, "
            f"{batch}, {atype}, {ctype}, {COMPUTE[letter]})")


def params_of(text):
    out = []
    for p in text.split(","):
        p = " ".join(p.split())
        p = re.sub(r"\s*\*\s*", " *", p).replace("*const", "* const")
        pname = re.search(r"([A-Za-z_][A-Za-z0-9_]*)(\[\])?$", p).group(1)
        out.append((p, pname))
    return out


def main(path):
    src = open(path).read()
    decl = re.compile(r"CUBLASWINAPI\s+(cublas[SDCZ][A-Za-z0-9_]+)\s*\(([^)]*)\)\s*;")
    pick = re.compile(r"cublas[SDCZ](symm|hemm|syrkx?|herkx?|syrk3mEx|syrkEx|herk3mEx|herkEx|"
                      r"syr2k|her2k|trmm|trsm|trsmBatched)(_v2)?(_64)?")
    entries = []
    for m in decl.finditer(src):
        name = m.group(1)
        if not pick.fullmatch(name):
            continue
        params = params_of(m.group(2))
        entries.append("  X(%s,\\\n  (%s),\\\n  (%s),\\\n  %s)" % (
            name, ", ".join(p for p, _ in params), ", ".join(n for _, n in params),
            describe(name, params)))
    print("""/* The non-GEMM Level-3 routines of CUDA 13.0's cublas_api.h, in the form of api_spec.h:
 *     BLAS3(routine, side, uplo, trans, diag, m, n, k, batch, Atype, Ctype, compute)
 * routine: enum mfu_blas3_routine (include/mfu/blas3.h, which has the counting rules); m x n
 * is C's (B's, for trmm and trsm) shape, k the inner dimension of the rank-k updates (else 0);
 * MFU_BLAS3_NA marks an argument the routine does not have. Written by
 * scripts/spec_blas3.py from the header; tests/integration/linkage.sh checks that it is the
 * header's whole family. */
#ifndef MFU_API_SPEC_BLAS3_H
#define MFU_API_SPEC_BLAS3_H

#define MFU_CUBLAS_BLAS3_APIS(X) \\""")
    print(" \\\n".join(entries))
    print("\n#endif")


main(sys.argv[1])
