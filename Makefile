# Exam-room kiosk: build, test, bench, fuzz, demo.
#   make [all]        programs into bin/
#   make test         unit tests (cmocka), end-to-end tests, unit tests under ASan+UBSan,
#                     fuzz corpus replay (alias: check)
#   make bench        performance figures of SPEC §9
#   make fuzz         run each libFuzzer target briefly (FUZZ_SECONDS)
#   make demo         build sample packs and show them
#   make install      PREFIX=/usr/local DESTDIR=
# Options: CONF=debug|release  SANITIZE=address,undefined

CONF ?= release
SANITIZE ?=
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 20
PKG_CONFIG ?= pkg-config

CORE_PKGS := sqlite3 libsodium zlib inih
KIOSK_PKGS := sdl2 SDL2_ttf SDL2_image fontconfig x11 dbus-1
TEST_PKGS := cmocka
# kiosk/textlayout.c breaks lines with ICU: the kiosk and the unit tests link it
TL_PKGS := icu-uc

WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith \
        -Wformat=2 -Wundef -Wold-style-definition
BASE_CFLAGS := -std=c17 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(WARN) -MMD -MP
ifeq ($(CONF),debug)
OPT := -O0 -g3
else
OPT := -O2 -g -D_FORTIFY_SOURCE=2
endif

BUILD := build/$(CONF)$(if $(SANITIZE),-san)
ifneq ($(SANITIZE),)
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

pkg_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pkg_libs = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

# core/ sees only its own libraries: no SDL, curl or microhttpd flags.
CORE_CFLAGS := $(BASE_CFLAGS) $(OPT) $(SANFLAGS) $(call pkg_cflags,$(CORE_PKGS))
CORE_LIBS := $(call pkg_libs,$(CORE_PKGS))
TEST_CFLAGS := $(CORE_CFLAGS) $(call pkg_cflags,$(TEST_PKGS)) -Wno-missing-prototypes
TEST_LIBS := $(CORE_LIBS) $(call pkg_libs,$(TEST_PKGS) $(TL_PKGS))

CORE_MODULES := $(sort $(patsubst core/%.c,%,$(wildcard core/*.c)))
CORE_OBJS := $(CORE_MODULES:%=$(BUILD)/core/%.o)
CORE_LIB := $(BUILD)/libcore.a

PROGRAMS := bin/exampack bin/examsync bin/kiosk bin/examhub
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
FUZZERS := $(patsubst tests/fuzz/%_fuzzer.c,%,$(wildcard tests/fuzz/*_fuzzer.c))

.PHONY: all test check unit unit-run e2e asan fuzz fuzz-build fuzz-replay bench demo install clean deps layering torture
.DEFAULT_GOAL := all

all: layering $(PROGRAMS)

deps:
	@sh tools/install-deps.sh

# An SDL, curl or microhttpd include in core/ is a layering error.
layering:
	@if grep -nE '#[[:space:]]*include[[:space:]]*[<"](SDL|curl/|microhttpd)' core/*.c core/*.h; then \
	  echo "core/ must not use SDL, curl or microhttpd (see DESIGN.md)"; exit 1; fi

$(BUILD)/core/%.o: core/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c $< -o $@

$(CORE_LIB): $(CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tools/%.o: tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c $< -o $@

bin/exampack: $(BUILD)/tools/exampack.o $(CORE_LIB)
	@mkdir -p bin
	$(CC) $(SANFLAGS) -o $@ $^ $(CORE_LIBS)

# kiosk/ code without SDL (text layout rules) is unit-tested like core
KIOSK_PURE := textlayout scriptline
KIOSK_PURE_OBJS := $(KIOSK_PURE:%=$(BUILD)/kiosk/%.o)

$(KIOSK_PURE_OBJS): $(BUILD)/kiosk/%.o: kiosk/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) $(call pkg_cflags,$(TL_PKGS)) -c $< -o $@

# kiosk/ gets SDL flags; core/ never does
KIOSK_CFLAGS := $(CORE_CFLAGS) $(call pkg_cflags,$(KIOSK_PKGS))
KIOSK_LIBS := $(call pkg_libs,$(KIOSK_PKGS) $(TL_PKGS)) $(CORE_LIBS)
KIOSK_SRCS := $(filter-out $(KIOSK_PURE:%=kiosk/%.c),$(wildcard kiosk/*.c))
KIOSK_OBJS := $(KIOSK_SRCS:kiosk/%.c=$(BUILD)/kiosk/%.o)

$(BUILD)/kiosk/%.o: kiosk/%.c
	@mkdir -p $(dir $@)
	$(CC) $(KIOSK_CFLAGS) -c $< -o $@

bin/kiosk: $(KIOSK_OBJS) $(KIOSK_PURE_OBJS) $(CORE_LIB)
	@mkdir -p bin
	$(CC) $(SANFLAGS) -o $@ $^ $(KIOSK_LIBS)

NET_PKGS := libcurl libmicrohttpd jansson
NET_CFLAGS := $(CORE_CFLAGS) $(call pkg_cflags,$(NET_PKGS))
HUB_SRCS := $(wildcard tools/hub/*.c)
HUB_OBJS := $(HUB_SRCS:tools/hub/%.c=$(BUILD)/tools/hub/%.o)

$(BUILD)/tools/hub/%.o: tools/hub/%.c
	@mkdir -p $(dir $@)
	$(CC) $(NET_CFLAGS) -c $< -o $@

$(BUILD)/tools/examhub.o: tools/examhub.c
	@mkdir -p $(dir $@)
	$(CC) $(NET_CFLAGS) -c $< -o $@

$(BUILD)/tools/examsync.o: tools/examsync.c
	@mkdir -p $(dir $@)
	$(CC) $(NET_CFLAGS) -c $< -o $@

bin/examhub: $(BUILD)/tools/examhub.o $(HUB_OBJS) $(CORE_LIB)
	@mkdir -p bin
	$(CC) $(SANFLAGS) -o $@ $^ $(call pkg_libs,libmicrohttpd jansson) $(CORE_LIBS) -lpthread

# examsync verifies hub receipts with the hub module's code
bin/examsync: $(BUILD)/tools/examsync.o $(BUILD)/tools/hub/hub.o $(BUILD)/tools/hub/hubstore.o $(CORE_LIB)
	@mkdir -p bin
	$(CC) $(SANFLAGS) -o $@ $^ $(call pkg_libs,libcurl jansson) $(CORE_LIBS)

# ---- tests ---------------------------------------------------------------

$(BUILD)/tests/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -Icore -Ikiosk -c $< -o $@


$(BUILD)/tests/%: $(BUILD)/tests/%.o $(CORE_LIB) $(KIOSK_PURE_OBJS)
	$(CC) $(SANFLAGS) -o $@ $< $(KIOSK_PURE_OBJS) $(CORE_LIB) $(TEST_LIBS)

unit: $(UNIT_TESTS:%=$(BUILD)/tests/%)

unit-run: unit
	@fail=0; for t in $(UNIT_TESTS); do \
	  echo "== $$t"; (cd tests/unit && ../../$(BUILD)/tests/$$t) || fail=1; done; exit $$fail

# small helper programs for the end-to-end tests (e.g. a flaky TCP proxy)
TEST_TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/testtools/%,$(wildcard tests/tools/*.c))
$(BUILD)/testtools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -o $@ $< -lpthread

# the hostile X client of the lockdown tests needs Xlib
$(BUILD)/testtools/xgrab: tests/tools/xgrab.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) $(call pkg_cflags,x11) -o $@ $< $(call pkg_libs,x11)

e2e: all $(TEST_TOOLS)
	@TEST_TOOLS_DIR=$(abspath $(BUILD)/testtools) bash tests/e2e/run.sh

asan:
	@$(MAKE) --no-print-directory CONF=debug SANITIZE=address,undefined unit-run

test check: deps
	@$(MAKE) --no-print-directory all
	@MAKE="$(MAKE)" bash tests/run-all.sh

# ---- fuzzing -------------------------------------------------------------

FUZZ_BUILD := build/fuzz
FUZZ_CFLAGS := -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined $(call pkg_cflags,$(CORE_PKGS))

$(FUZZ_BUILD)/%_fuzzer: tests/fuzz/%_fuzzer.c $(addprefix core/,$(CORE_MODULES:=.c))
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(addprefix core/,$(CORE_MODULES:=.c)) $(CORE_LIBS)

# the hub's fuzzer also needs the hub sources and their libraries
$(FUZZ_BUILD)/hub_fuzzer: tests/fuzz/hub_fuzzer.c $(addprefix core/,$(CORE_MODULES:=.c)) $(wildcard tools/hub/*.c)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(call pkg_cflags,libmicrohttpd jansson) -o $@ $< $(addprefix core/,$(CORE_MODULES:=.c)) \
	  $(wildcard tools/hub/*.c) $(CORE_LIBS) $(call pkg_libs,libmicrohttpd jansson) -lpthread

$(FUZZ_BUILD)/script_fuzzer: tests/fuzz/script_fuzzer.c kiosk/scriptline.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^

$(FUZZ_BUILD)/textlayout_fuzzer: tests/fuzz/textlayout_fuzzer.c kiosk/textlayout.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(call pkg_cflags,$(TL_PKGS)) -o $@ $^ $(call pkg_libs,$(TL_PKGS))

fuzz-build: $(FUZZERS:%=$(FUZZ_BUILD)/%_fuzzer)

# replays every seed corpus once (part of make test)
fuzz-replay:
	@$(MAKE) --no-print-directory -j$$(nproc) fuzz-build
	@fail=0; for f in $(FUZZERS); do \
	  echo "== replay $$f"; $(FUZZ_BUILD)/$${f}_fuzzer -runs=0 tests/fuzz/corpus/$$f >/dev/null 2>$(FUZZ_BUILD)/$$f.log \
	    && tail -1 $(FUZZ_BUILD)/$$f.log || { cat $(FUZZ_BUILD)/$$f.log; fail=1; }; done; exit $$fail

fuzz: deps fuzz-build
	@for f in $(FUZZERS); do \
	  echo "== fuzz $$f for $(FUZZ_SECONDS)s"; mkdir -p $(FUZZ_BUILD)/corpus-$$f $(FUZZ_BUILD)/artifacts; \
	  if $(FUZZ_BUILD)/$${f}_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	      -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$f- \
	      $(FUZZ_BUILD)/corpus-$$f tests/fuzz/corpus/$$f >$(FUZZ_BUILD)/$$f.log 2>&1; then \
	    tail -1 $(FUZZ_BUILD)/$$f.log; \
	  else tail -40 $(FUZZ_BUILD)/$$f.log; echo "fuzz $$f found a problem (artifact in $(FUZZ_BUILD)/artifacts)"; exit 1; fi; done

# ---- bench, demo, install --------------------------------------------------

$(BUILD)/bench_pack: tests/bench/bench_pack.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -Icore -o $@ $^ $(CORE_LIBS)

$(BUILD)/bench_store: tests/bench/bench_store.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -Icore -o $@ $^ $(CORE_LIBS)

$(BUILD)/bench_hub: tests/bench/bench_hub.c $(HUB_OBJS) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(NET_CFLAGS) -Icore -o $@ $^ $(call pkg_libs,libmicrohttpd jansson) $(CORE_LIBS) -lpthread

bench: deps
	@$(MAKE) --no-print-directory CONF=release all $(BUILD)/bench_pack $(BUILD)/bench_store $(BUILD)/bench_hub
	@bash tests/bench/run.sh $(BUILD)/bench_pack $(BUILD)/bench_store
	@$(BUILD)/bench_hub 2000

# kill the kiosk at random moments of scripted sittings, TORTURE_KILLS times
TORTURE_KILLS ?= 1000
torture: all
	@bash tests/torture/torture.sh $(TORTURE_KILLS)

demo: deps
	@$(MAKE) --no-print-directory all
	@bash tools/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf build bin demo

-include $(CORE_OBJS:.o=.d) $(wildcard $(BUILD)/tools/*.d) $(wildcard $(BUILD)/tools/hub/*.d) $(wildcard $(BUILD)/tests/*.d) $(wildcard $(BUILD)/kiosk/*.d)
