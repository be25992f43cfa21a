# rec: build, test, demo, install.  See HACKING.md for the layout.
# Only deps, check, check-san, check-future, check-cross, demo and bench
# install what is missing (scripts/deps.sh; scripts/cross.sh for
# check-cross); plain `make` and `make install` only compile, and stop
# with pkg-config's message when a -dev package is missing.

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

PKG_CONFIG ?= pkg-config
PKGS      := $(shell cat scripts/deps/pkgconfig.txt)
# $(call pkgconf,--cflags|--libs,PACKAGES): pkg-config's answer (nothing
# for no packages); when it fails, its own message (which .pc file is
# missing) and make stops.  Recursive (=) so that pkg-config runs only
# when a rule needs it, after scripts/deps.sh installed what it names.
pkgconf = $(if $(strip $(2)),$(shell $(PKG_CONFIG) --print-errors $(1) $(2))$(if \
    $(filter-out 0,$(.SHELLSTATUS)),$(error pkg-config $(1) $(strip $(2)) \
    failed: install the -dev packages of scripts/deps/build.apt (make deps))))
PKG_CFLAGS = $(call pkgconf,--cflags,$(PKGS))
PKG_LIBS   = $(call pkgconf,--libs,$(PKGS))

WARN      := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes \
             -Wmissing-prototypes -Wformat=2
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(SANFLAGS) -pthread -MMD -MP \
             -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -DREC_VERSION='"$(VERSION)"' -Ilib \
             $(CPPFLAGS) $(PKG_CFLAGS)
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

.PHONY: all deps check check-san check-future check-cross test tests cross-tests \
        demo bench install clean
.SUFFIXES:
.SECONDARY:

all: $(BINS)

$(DEPS_OK): scripts/deps.sh $(wildcard scripts/deps/*)
	@mkdir -p $(BUILD)
	scripts/deps.sh
	@touch $@

deps: $(DEPS_OK)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBREC): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# One executable per cmd/NAME/: a rule generated for each, linking its
# objects with librec.a and only the packages named in cmd/NAME/pkgs.
define cmd_rule
$(BUILD)/bin/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard cmd/$(1)/*.c)) $(LIBREC)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(LIBREC) \
	    $$(call pkgconf,--libs,$$(shell cat cmd/$(1)/pkgs 2>/dev/null)) -lm
endef
$(foreach c,$(CMDS),$(eval $(call cmd_rule,$(c))))

$(BUILD)/test/helpers/%: $(BUILD)/obj/test/helpers/%.o $(LIBREC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBREC) $(PKG_LIBS) -lm

$(BUILD)/test/%: $(BUILD)/obj/test/unit/%.o $(LIBREC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBREC) $(PKG_LIBS) -lm

# Shims are not sanitized: they sit before the ASan runtime in the link order.
$(BUILD)/test/shim/%.so: test/shim/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O1 -g -fPIC -shared -D_GNU_SOURCE \
	    -o $@ $< -ldl

tests: $(BINS) $(UNITS) $(HELPERS) $(SHIMS)

# What make check-cross builds for another architecture: all but the
# LD_PRELOAD shims and fuzz replays, which only serve the native tests.
cross-tests: $(BINS) $(UNITS) $(HELPERS)

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

# lib/, every binary and the unit tests cross-built for 32-bit (armhf)
# and 64-bit (arm64) Raspberry Pi OS into build-cross-ARCH/, the unit
# tests run under qemu-user.  Installs its toolchains and a private
# sysroot on first use (scripts/cross.sh).  CROSS="armhf" for one.
CROSS     ?= armhf arm64
check-cross:
	@MAKE="$(MAKE)" scripts/cross.sh $(CROSS)

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

# BUILD=dir cleans only dir; by default build/ and build-san/.
clean:
	rm -rf $(BUILD) $(if $(filter file,$(origin BUILD)),build-san)

-include test/fuzz/fuzz.mk

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
