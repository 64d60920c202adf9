# mfushim — build, test, demo, install, bench.
#   make            shim, analyzer and test doubles
#   make test       every test (unit, integration, end to end)
#   make test CUDA_STACK=12   the same on a CUDA 12 stack of test doubles (in build-cuda12)
#   make check-sanitize   every test under ASan + UBSan, then the threads' tests under TSan
#   make demo       the example Transformer workload under the shim, then its report
#   make bench      what the shim and the analyzer cost: `bench: NAME VALUE UNIT` lines and a table
#   make stress     the crash test at length: 500 kills -9 of a traced workload
#   make fuzz       each fuzz target under libFuzzer (clang) for FUZZ_SECONDS (60) seconds
#   make install PREFIX=/usr/local   (and DESTDIR=): mfu, the shim, headers, man pages, completion
#   make uninstall PREFIX=/usr/local what install put there
#   make help       this list

CUDA_HOME ?= /usr/local/cuda
PREFIX    ?= /usr/local
CC        ?= cc
CUDA_STACK ?= 13
B         := $(if $(filter 12,$(CUDA_STACK)),build-cuda12,build)

CUDA_INC  := $(CUDA_HOME)/include
CUDA_LIB  := $(CUDA_HOME)/lib64

WARN      := -std=c11 -Wall -Wextra -Werror
OPT       ?= -O2 -g
CFLAGS    += $(WARN) $(OPT) -D_GNU_SOURCE -Iinclude $(SAN)
LDFLAGS   += $(SAN)

SHIM_SRCS     := $(wildcard shim/*.c)
ANALYZER_SRCS := $(wildcard analyzer/*/*.c)
SHIM_OBJS     := $(SHIM_SRCS:%.c=$(B)/%.o)
ANALYZER_OBJS := $(ANALYZER_SRCS:%.c=$(B)/%.o)
ANALYZER_LIB_OBJS := $(filter-out $(B)/analyzer/cli/main.o,$(ANALYZER_OBJS))

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/unit/%)
UNIT_LIBS  := $(B)/tests/unit/libstacks_dlopen.so
INTEG_SRCS := $(wildcard tests/integration/*.c)
INTEG_BINS := $(INTEG_SRCS:tests/integration/%.c=$(B)/tests/integration/%)

# The test doubles of CUDA_STACK's libraries (13, or 12: make CUDA_STACK=12 builds a CUDA 12
# stack in build-cuda12). Each is its hand-written files plus generated stubs for the rest of
# its header (tests/doubles/gen_stubs.py); all share libmfu_devmem.so, the device memory.
DD := $(B)/test-doubles
DOUBLE_LIBS := cudart cublas cublaslt nccl
DOUBLE_SONAME_cudart   := libcudart.so.$(CUDA_STACK)
DOUBLE_SONAME_cublas   := libcublas.so.$(CUDA_STACK)
DOUBLE_SONAME_cublaslt := libcublasLt.so.$(CUDA_STACK)
DOUBLE_SONAME_nccl     := libnccl.so.2
DOUBLE_SRCS_cudart     := cudart cudart_memory cudart_launch $(if $(filter 12,$(CUDA_STACK)),cudart12)
DOUBLE_SRCS_cublas     := cublas cublas_data gemm_cpu blas3_cpu
DOUBLE_SRCS_cublaslt   := cublaslt cublaslt_algo gemm_cpu
DOUBLE_SRCS_nccl       := nccl
DOUBLES := $(foreach l,$(DOUBLE_LIBS),$(DD)/$(DOUBLE_SONAME_$(l))) $(DD)/libcupti.so.13 \
           $(DD)/libmfu_devmem.so
# The CUPTI double as CUPTI 12.x hands records out (libcupti.so.12: CUPTI 12.4's layouts); in
# a CUDA 12 stack, beside its other doubles.
CUPTI12 := $(if $(filter 12,$(CUDA_STACK)),$(DD),$(B)/test-doubles-cupti12)/libcupti.so.12
EXAMPLE := $(B)/examples/transformer_step
FUZZ_TARGETS := $(basename $(notdir $(filter-out %/replay.c,$(wildcard tests/fuzz/*.c))))
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=$(B)/tests/fuzz/%)

DEPS_STAMP := $(B)/.deps-ok

.PHONY: all deps test test-bins check-sanitize demo bench install uninstall help clean
all: $(B)/libmfushim.so $(B)/mfu $(DOUBLES) $(CUPTI12)

# Build dependencies (cmocka, jansson, the CUDA headers) are checked, and installed with
# apt-get where missing, so that `make demo` and `make test` work on a fresh machine.
deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/install-deps.sh
	@CUDA_HOME=$(CUDA_HOME) sh scripts/install-deps.sh
	@mkdir -p $(B) && touch $@

# --- the shim: position-independent, hidden by default, no link-time CUDA dependency
$(B)/shim/%.o: shim/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -I$(CUDA_INC) -MMD -MP -c $< -o $@

$(B)/libmfushim.so: $(SHIM_OBJS)
	$(CC) -shared -Wl,-z,defs -Wl,-soname,libmfushim.so $(LDFLAGS) -o $@ $^ -ldl -lpthread

# Made afresh: `ar r` would keep the members of shim sources that were renamed or removed.
$(B)/libmfu_shim.a: $(SHIM_OBJS)
	rm -f $@ && ar rcs $@ $^

# --- the analyzer
$(B)/analyzer/%.o: analyzer/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ianalyzer -MMD -MP -c $< -o $@

$(B)/libmfu_analyzer.a: $(ANALYZER_LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(B)/mfu: $(B)/analyzer/cli/main.o $(B)/libmfu_analyzer.a
	$(CC) $(LDFLAGS) -o $@ $^ -ljansson -lz -lzstd -lm -lpthread -ldl

# --- test doubles: real sonames and version nodes, from the same API spec as the shim
$(DD)/obj/%.o: tests/doubles/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -I$(CUDA_INC) -Itests/doubles -DMFU_DOUBLE_CUDA=$(CUDA_STACK) -MMD -MP \
	  -c $< -o $@

.SECONDEXPANSION:
$(DD)/obj/%_stubs.c: tests/doubles/gen_stubs.py $$(addprefix $(DD)/obj/,$$(addsuffix .o,$$(DOUBLE_SRCS_$$*)))
	python3 tests/doubles/gen_stubs.py $* --cuda-include $(CUDA_INC) \
	  --objects $(filter %.o,$^) --out $@

.PRECIOUS: $(DD)/obj/%_stubs.c
$(DD)/obj/%_stubs.o: $(DD)/obj/%_stubs.c
	$(CC) $(CFLAGS) -fPIC -I$(CUDA_INC) -c $< -o $@

$(DD)/libmfu_devmem.so: $(DD)/obj/devmem.o
	$(CC) -shared -Wl,-soname,libmfu_devmem.so $(LDFLAGS) -o $@ $^ -lpthread

# Like the real libraries: CUDA's carry a version node named after the soname, NCCL's none.
# Calls between a double's own functions stay inside it (-Bsymbolic-functions): a preloaded
# shim sees each call of the program once.
version_script = $(if $(filter libnccl%,$(notdir $(1))),,-Wl,--version-script,$(1).map)
define double_link
	sed 's/@SONAME@/$(notdir $@)/' tests/doubles/version.map.in > $@.map
	$(CC) -shared -Wl,-soname,$(notdir $@) -Wl,-Bsymbolic-functions $(call version_script,$@) \
	  -Wl,-rpath,'$$ORIGIN' -Wl,-z,defs $(LDFLAGS) -o $@ $(filter %.o,$^) -L$(DD) -l:libmfu_devmem.so -lm -ldl -lpthread
endef
define double_rule
$(DD)/$(DOUBLE_SONAME_$(1)): $(patsubst %,$(DD)/obj/%.o,$(DOUBLE_SRCS_$(1))) \
    $(DD)/obj/$(1)_stubs.o $(DD)/libmfu_devmem.so tests/doubles/version.map.in
	$$(double_link)
endef
$(foreach l,$(DOUBLE_LIBS),$(eval $(call double_rule,$(l))))

$(DD)/libcupti.so.13: $(DD)/obj/cupti.o tests/doubles/version.map.in
	sed 's/@SONAME@/$(notdir $@)/' tests/doubles/version.map.in > $@.map
	$(CC) -shared -Wl,-soname,$(notdir $@) $(call version_script,$@) $(LDFLAGS) -o $@ $< -ldl -lpthread

$(CUPTI12): tests/doubles/cupti.c tests/doubles/version.map.in | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	sed 's/@SONAME@/$(notdir $@)/' tests/doubles/version.map.in > $@.map
	$(CC) $(CFLAGS) -DMFU_DOUBLE_CUPTI_MAJOR=12 -fPIC -I$(CUDA_INC) -Itests/doubles -MMD -MP \
	  -MF $@.d -shared -Wl,-soname,$(notdir $@) $(call version_script,$@) $(LDFLAGS) -o $@ $< \
	  -ldl -lpthread

# --- tests
# Unit tests link the analyzer and shim archives; tests that call wrappers in-process reach
# the cuBLAS doubles behind them (only those tests get the DT_NEEDED, by --as-needed).
$(B)/tests/unit/%: tests/unit/%.c $(B)/libmfu_analyzer.a $(B)/libmfu_shim.a $(DOUBLES) $(UNIT_LIBS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(CUDA_INC) -Ianalyzer -Ishim -DMFU_CUDA_STACK=$(CUDA_STACK) -MMD -MP \
	  $(LDFLAGS) -o $@ $< $(B)/libmfu_analyzer.a $(B)/libmfu_shim.a -lcmocka -ljansson -lz -lzstd -lm -ldl -lpthread \
	  -L$(DD) -Wl,-rpath,$(abspath $(DD)) -Wl,--as-needed \
	  $(foreach l,$(DOUBLE_LIBS),-l:$(DOUBLE_SONAME_$(l)))

# A library that a unit test loads with dlopen (test_stacks).
$(UNIT_LIBS): $(B)/tests/unit/lib%.so: tests/unit/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -shared $(LDFLAGS) -o $@ $<

# Integration programs are built against the real toolkit; they run on the doubles or the
# real libraries by LD_LIBRARY_PATH. On a CUDA 12 stack they are linked against its doubles,
# which carry the real CUDA 12 sonames (libcublas.so.12...), as a CUDA 12 build would be.
CUDA_LINK_DIR  := $(if $(filter 12,$(CUDA_STACK)),$(DD),$(CUDA_LIB))
CUDA_LINK_DEPS := $(if $(filter 12,$(CUDA_STACK)),$(DOUBLES))
link_cuda = -L$(CUDA_LINK_DIR) $(foreach l,$(1),-l:$(DOUBLE_SONAME_$(l)))

$(B)/tests/integration/%: tests/integration/%.c | $(DEPS_STAMP) $(CUDA_LINK_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(CUDA_INC) -MMD -MP $(LDFLAGS) -o $@ $< \
	  $(call link_cuda,cublas cublaslt cudart nccl) -lpthread -ldl

$(EXAMPLE): examples/transformer_step.c | $(DEPS_STAMP) $(CUDA_LINK_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(CUDA_INC) -MMD -MP $(LDFLAGS) -o $@ $< \
	  $(call link_cuda,cublas cublaslt cudart) -lm

# The fuzz targets (tests/fuzz) with a driver that replays their seed corpora, no libFuzzer.
FUZZ_LIBS := -ljansson -lz -lzstd -lm -ldl -lpthread
$(B)/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(B)/libmfu_analyzer.a $(B)/libmfu_shim.a | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ianalyzer -Ishim -MMD -MP $(LDFLAGS) -o $@ $< tests/fuzz/replay.c \
	  $(B)/libmfu_analyzer.a $(B)/libmfu_shim.a $(FUZZ_LIBS)

test-bins: all $(UNIT_BINS) $(INTEG_BINS) $(EXAMPLE) $(FUZZ_REPLAY)

test: test-bins
	@CUDA_HOME=$(CUDA_HOME) MFU_BUILD=$(B) MFU_CUDA_STACK=$(CUDA_STACK) bash tests/run.sh

# Every test again with the analyzer, the shim, the doubles and the test programs built with
# ASan and UBSan (build-asan; a sanitizer's report fails its test), then the unit tests and the
# tests of threads in the shim built with TSan (build-tsan). Optimized as `make all` is: tests
# name call sites after the functions that inlining leaves. tests/run.sh says the rest.
SAN_OPT    := -O2 -g -fno-omit-frame-pointer
TSAN_TESTS := --unit integration/host_behaviour.sh integration/ways_out.sh integration/host_safety.sh
check-sanitize:
	$(MAKE) B=build-asan OPT="$(SAN_OPT)" SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" test-bins
	@CUDA_HOME=$(CUDA_HOME) MFU_SANITIZE=address MFU_BUILD=build-asan bash tests/run.sh
	$(MAKE) B=build-tsan OPT="$(SAN_OPT)" SAN="-fsanitize=thread" test-bins
	@CUDA_HOME=$(CUDA_HOME) MFU_SANITIZE=thread MFU_BUILD=build-tsan MFU_SAFETY_CALLS=2000 \
	  bash tests/run.sh $(TSAN_TESTS)

demo: all $(EXAMPLE)
	@CUDA_HOME=$(CUDA_HOME) bash scripts/demo.sh

# --- bench: the benchmark's lock-free double, the timed loop, the synthetic job's ranks, and
# a runner that reports what a command cost (tests/bench/run.sh says what each figure is).
BENCH := $(B)/bench/libbench_double.so $(B)/bench/overhead $(B)/bench/job_rank $(B)/bench/measure \
         $(B)/bench/stacks

$(B)/bench/libbench_double.so: tests/bench/double.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -I$(CUDA_INC) -shared -Wl,-soname,libbench_double.so \
	  $(LDFLAGS) -o $@ $<

$(B)/bench/overhead: tests/bench/overhead.c $(B)/bench/libbench_double.so
	$(CC) $(CFLAGS) -I$(CUDA_INC) $(LDFLAGS) -o $@ $< -L$(B)/bench -l:libbench_double.so \
	  -Wl,-rpath,$(abspath $(B)/bench) -ldl -lpthread

$(B)/bench/stacks: tests/bench/stacks.c $(B)/libmfu_shim.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ishim $(LDFLAGS) -o $@ $< $(B)/libmfu_shim.a -ldl -lpthread

$(B)/bench/job_rank: tests/bench/job_rank.c | $(DEPS_STAMP) $(CUDA_LINK_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(CUDA_INC) $(LDFLAGS) -o $@ $< $(call link_cuda,cublas nccl)

$(B)/bench/measure: tests/bench/measure.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

bench: all $(BENCH) $(EXAMPLE)
	@bash tests/bench/run.sh

# --- stress: tests/integration/crash_kills.sh with MFU_KILLS kills (500; make test runs 50),
# then host_safety.sh with 64 threads x MFU_SAFETY_CALLS calls (1,000,000; make test: 20,000).
.PHONY: stress
stress: all $(B)/tests/integration/host
	@for t in crash_kills host_safety; do \
	  d=$$(mktemp -d) && cd $$d && MFU_KILLS=$${MFU_KILLS:-500} \
	  MFU_SAFETY_CALLS=$${MFU_SAFETY_CALLS:-1000000} MFU_ROOT=$(CURDIR) MFU=$(CURDIR)/$(B)/mfu \
	  SHIM=$(CURDIR)/$(B)/libmfushim.so DOUBLES=$(CURDIR)/$(B)/test-doubles \
	  bash $(CURDIR)/tests/integration/$$t.sh; rc=$$?; cd $(CURDIR); rm -rf $$d; \
	  [ $$rc = 0 ] || exit $$rc; done

# --- fuzz: each target (tests/fuzz/NAME.c) built with libFuzzer, ASan and UBSan by clang
# into build-fuzz/, run for FUZZ_SECONDS on its seeds (tests/fuzz/corpus/NAME, never written)
# and what earlier runs found (build-fuzz/corpus/NAME). A crash, hang (FUZZ_TIMEOUT s), leak
# or out-of-memory stops it, with the input in build-fuzz/; replay it with
# build-fuzz/NAME FILE. tests/fuzz/run.sh prints each target's executions.
FUZZ_SECONDS ?= 60
FUZZ_TIMEOUT ?= 10
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
.PHONY: fuzz
fuzz:
	@command -v clang > /dev/null || { echo "make fuzz: clang (with libFuzzer) is needed: apt-get install -y clang"; exit 1; }
	$(MAKE) B=build-fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" build-fuzz/libmfu_analyzer.a build-fuzz/libmfu_shim.a
	@for t in $(FUZZ_TARGETS); do \
	  echo "clang ... -o build-fuzz/$$t tests/fuzz/$$t.c"; \
	  clang $(WARN) -O1 -g -D_GNU_SOURCE -Iinclude -Ianalyzer -Ishim $(FUZZ_SAN) -fsanitize=fuzzer \
	    -o build-fuzz/$$t tests/fuzz/$$t.c build-fuzz/libmfu_analyzer.a build-fuzz/libmfu_shim.a \
	    $(FUZZ_LIBS) || exit 1; \
	done
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TIMEOUT=$(FUZZ_TIMEOUT) bash tests/fuzz/run.sh $(FUZZ_TARGETS)

# --- calibrate: the GEMM TFLOP/s this machine's GPU achieves per precision, beside
# its datasheet peak (mfu calibrate --help). It needs a GPU: without one it says so, exit 1.
.PHONY: calibrate
calibrate: all
	$(B)/mfu calibrate

MAN1 := $(DESTDIR)$(PREFIX)/share/man/man1
MAN7 := $(DESTDIR)$(PREFIX)/share/man/man7
COMPLETIONS := $(DESTDIR)$(PREFIX)/share/bash-completion/completions

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/mfu \
	  $(DESTDIR)$(PREFIX)/share/mfushim $(MAN1) $(MAN7) $(COMPLETIONS)
	install -m 0755 $(B)/mfu $(DESTDIR)$(PREFIX)/bin/mfu
	install -m 0755 $(B)/libmfushim.so $(DESTDIR)$(PREFIX)/lib/libmfushim.so
	install -m 0644 include/mfu/*.h $(DESTDIR)$(PREFIX)/include/mfu/
	install -m 0755 scripts/mfu_plot.py $(DESTDIR)$(PREFIX)/share/mfushim/mfu_plot.py
	install -m 0644 docs/man/mfu.1 $(MAN1)/mfu.1
	install -m 0644 docs/man/libmfushim.7 $(MAN7)/libmfushim.7
	install -m 0644 scripts/mfu.bash-completion $(COMPLETIONS)/mfu

# What install put there, and the directories of mfushim's own.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/mfu $(DESTDIR)$(PREFIX)/lib/libmfushim.so \
	  $(DESTDIR)$(PREFIX)/share/mfushim/mfu_plot.py $(MAN1)/mfu.1 $(MAN7)/libmfushim.7 \
	  $(COMPLETIONS)/mfu $(patsubst include/mfu/%,$(DESTDIR)$(PREFIX)/include/mfu/%,$(wildcard include/mfu/*.h))
	rmdir $(DESTDIR)$(PREFIX)/include/mfu $(DESTDIR)$(PREFIX)/share/mfushim 2>/dev/null || true

# The targets: the comment at the top of this file.
help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

clean:
	rm -rf $(B) build-asan build-tsan build-fuzz

-include $(shell find $(B) -name '*.d' 2>/dev/null)
