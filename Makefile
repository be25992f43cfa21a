# rec: build, test, demo, install.  See HACKING.md for the layout.
# `make check` and `make demo` install what is missing (scripts/deps.sh).

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR   ?= $(PREFIX)/lib/systemd/system
DESTDIR   ?=

ifeq ($(SAN),1)
BUILD     ?= build-san
CC        := clang
SANFLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
             -fno-omit-frame-pointer
CFLAGS    ?= -O1 -g
else
BUILD     ?= build
CFLAGS    ?= -O2 -g
endif

PKGS      := $(shell cat scripts/deps/pkgconfig.txt)
# Recursive (=) so that pkg-config runs after scripts/deps.sh installed it.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN      := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes \
             -Wmissing-prototypes -Wformat=2
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(SANFLAGS) -pthread -MMD -MP \
             -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -DREC_VERSION='"$(VERSION)"' -Ilib $(PKG_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS) -pthread

LIB_SRC   := $(wildcard lib/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIBREC    := $(BUILD)/librec.a

CMDS      := $(notdir $(patsubst %/,%,$(dir $(wildcard cmd/*/main.c))))
BINS      := $(CMDS:%=$(BUILD)/bin/%)

UNIT_SRC  := $(wildcard test/unit/test_*.c)
UNITS     := $(UNIT_SRC:test/unit/%.c=$(BUILD)/test/%)
HELP_SRC  := $(wildcard test/helpers/*.c)
HELPERS   := $(HELP_SRC:test/helpers/%.c=$(BUILD)/test/helpers/%)
# LD_PRELOAD fault shims for tests: test/shim/NAME.c -> $(BUILD)/test/shim/NAME.so
SHIM_SRC  := $(wildcard test/shim/*.c)
SHIMS     := $(SHIM_SRC:test/shim/%.c=$(BUILD)/test/shim/%.so)

DEPS_OK   := $(BUILD)/.deps-ok

.PHONY: all deps check check-san check-future test tests demo bench install clean
.SUFFIXES:
.SECONDARY:

all: $(BINS)

$(DEPS_OK): scripts/deps.sh $(wildcard scripts/deps/*)
	@mkdir -p $(BUILD)
	scripts/deps.sh
	@touch $@

deps: $(DEPS_OK)

$(BUILD)/obj/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBREC): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# One executable per cmd/NAME/, linked with the packages in cmd/NAME/pkgs.
.SECONDEXPANSION:
$(BUILD)/bin/%: $$(addprefix $(BUILD)/obj/,$$(addsuffix .o,$$(basename $$(wildcard cmd/$$*/*.c)))) $(LIBREC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBREC) \
	    $(shell pkg-config --libs $(shell cat cmd/$*/pkgs 2>/dev/null) 2>/dev/null) -lm

$(BUILD)/test/helpers/%: $(BUILD)/obj/test/helpers/%.o $(LIBREC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBREC) $(PKG_LIBS) -lm

$(BUILD)/test/%: $(BUILD)/obj/test/unit/%.o $(LIBREC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBREC) $(PKG_LIBS) -lm

# Shims are not sanitized: they sit before the ASan runtime in the link order.
$(BUILD)/test/shim/%.so: test/shim/%.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O1 -g -fPIC -shared -D_GNU_SOURCE \
	    -o $@ $< -ldl

tests: $(BINS) $(UNITS) $(HELPERS) $(SHIMS)

check: $(DEPS_OK)
	@$(MAKE) --no-print-directory tests
	@BUILD=$(BUILD) test/run $(T)

check-san: $(DEPS_OK)
	@$(MAKE) --no-print-directory SAN=1 check

# The whole suite with every test's clock two years ahead (libfaketime):
# no test may depend on today's date. FUTURE=+NNNd moves it elsewhere.
FUTURE    ?= +730d
FAKETIME_LIB := $(firstword $(wildcard /usr/lib/*/faketime/libfaketime.so.1))
check-future: $(DEPS_OK)
	@$(MAKE) --no-print-directory tests
	@test -n "$(FAKETIME_LIB)" || { echo "check-future: no libfaketime" >&2; exit 69; }
	@BUILD=$(BUILD) REC_FAKETIME=$(FUTURE) REC_FAKETIME_LIB=$(FAKETIME_LIB) test/run $(T)

demo: $(DEPS_OK)
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) scripts/demo.sh

bench: $(DEPS_OK)
	@$(MAKE) --no-print-directory tests
	@BUILD=$(BUILD) test/bench/run $(B)

install: $(BINS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	for m in man/*.[158]; do \
	    s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	if [ -d scripts/systemd ]; then install -d $(DESTDIR)$(UNITDIR) && \
	    install -m 644 scripts/systemd/* $(DESTDIR)$(UNITDIR)/; fi

clean:
	rm -rf build build-san

-include test/fuzz/fuzz.mk

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
