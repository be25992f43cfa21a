# Fuzz targets (test/fuzz/fuzz_NAME.c), included by the Makefile.
#
# Every target builds twice:
#  - $(BUILD)/fuzz/NAME: the target with a plain main (test/fuzz/replay.c)
#    that runs it once on each file or directory named, built with $(CC)
#    and $(ALL_CFLAGS) like the unit tests, so `make check` (gcc) and
#    `make check-san` (clang, ASan/UBSan) replay the committed corpora
#    test/fuzz/corpus/NAME/ (test/t/0003-fuzz-corpus.sh);
#  - $(FUZZ_OUT)/bin/NAME: the libFuzzer binary (clang,
#    -fsanitize=fuzzer,address,undefined, with its own sanitized copy of
#    lib/), which `make fuzz` runs for FUZZ_SECONDS each over a scratch
#    copy of the corpus (test/fuzz/run.sh); new inputs and findings stay
#    under $(FUZZ_OUT)/work/, the committed corpus is never written.
# `make fuzz FUZZ_TARGETS="wav sums"` runs only those.

FUZZ_ALL     := $(patsubst test/fuzz/fuzz_%.c,%,$(wildcard test/fuzz/fuzz_*.c))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_CC      ?= clang
FUZZ_OUT     := $(BUILD)/fuzz-clang

# ---- replay binaries, part of `make tests` ----
FUZZ_REPLAY  := $(FUZZ_ALL:%=$(BUILD)/fuzz/%)
FUZZ_COMMON  := $(BUILD)/obj/test/fuzz/replay.o $(BUILD)/obj/test/fuzz/input.o

$(BUILD)/fuzz/%: $(BUILD)/obj/test/fuzz/fuzz_%.o $(FUZZ_COMMON) $(LIBREC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBREC) $(PKG_LIBS) -lm

tests: $(FUZZ_REPLAY)

# ---- libFuzzer binaries, `make fuzz` only ----
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_CFLAGS   = -std=c11 $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
                -pthread -MMD -MP -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 \
                -DREC_VERSION='"$(VERSION)"' -Ilib $(PKG_CFLAGS)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_OUT)/obj/%.o)
FUZZ_LIBREC  := $(FUZZ_OUT)/librec.a
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_OUT)/bin/%)

$(FUZZ_OUT)/obj/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_LIBREC): $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_OUT)/bin/%: $(FUZZ_OUT)/obj/test/fuzz/fuzz_%.o \
    $(FUZZ_OUT)/obj/test/fuzz/input.o $(FUZZ_LIBREC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -pthread -o $@ \
	    $(filter %.o,$^) $(FUZZ_LIBREC) $(PKG_LIBS) -lm

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: $(DEPS_OK)
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) \
	    test/fuzz/run.sh $(FUZZ_OUT) $(FUZZ_TARGETS)

-include $(shell find $(FUZZ_OUT)/obj -name '*.d' 2>/dev/null)
