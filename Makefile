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

CORE_PKGS := sqlite3 libsodium zlib inih libzip expat
KIOSK_PKGS := sdl2 SDL2_ttf SDL2_image fontconfig x11 dbus-1
TEST_PKGS := cmocka
# kiosk/textlayout.c breaks lines with ICU: the kiosk and the unit tests link it
TL_PKGS := icu-uc

WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith \
        -Wformat=2 -Wundef -Wold-style-definition
BASE_CFLAGS := -std=c17 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -I. $(WARN) -MMD -MP
ifeq ($(CONF),debug)
OPT := -O0 -g3
else ifeq ($(CONF),release)
OPT := -O2 -g -D_FORTIFY_SOURCE=2
else
$(error CONF=$(CONF) is not a configuration: use CONF=debug or CONF=release (the default))
endif

BUILD := build/$(CONF)$(if $(SANITIZE),-san)
ifneq ($(SANITIZE),)
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

pkg_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pkg_libs = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

# core/ sees only its own libraries: no SDL, curl or microhttpd flags.
CORE_CFLAGS := $(BASE_CFLAGS) $(OPT) $(SANFLAGS) $(call pkg_cflags,$(CORE_PKGS))
CORE_LIBS := $(call pkg_libs,$(CORE_PKGS)) -lm
TEST_CFLAGS := $(CORE_CFLAGS) $(call pkg_cflags,$(TEST_PKGS)) -Wno-missing-prototypes
TEST_LIBS := $(CORE_LIBS) $(call pkg_libs,$(TEST_PKGS) $(TL_PKGS))

CORE_MODULES := $(sort $(patsubst core/%.c,%,$(wildcard core/*.c)))
CORE_OBJS := $(CORE_MODULES:%=$(BUILD)/core/%.o)
CORE_LIB := $(BUILD)/libcore.a
# cert/: the certification office's rules, its own archive, compiled like
# core/ (no SDL, curl or microhttpd flags); linked by the hub and the tests.
CERT_MODULES := $(sort $(patsubst cert/%.c,%,$(wildcard cert/*.c)))
CERT_OBJS := $(CERT_MODULES:%=$(BUILD)/cert/%.o)
CERT_LIB := $(BUILD)/libcert.a

PROGRAMS := bin/exampack bin/examsync bin/kiosk bin/examhub bin/examroom

# The test variant (-DEXAM_TEST_HOOKS, as SQLite's SQLITE_UNTESTABLE and
# curl's CURL_MEMDEBUG): core/ and the kiosk compiled again with the test
# hooks (store_fail_writes, exam_fail_writes, the script commands crash and
# fail_writes) and the counting allocator of core/alloc.h. The unit tests link
# its libcore.a; the e2e tests that need the hooks run its kiosk (KIOSK_TEST).
# Nothing of it is in bin/ or installed: the shipped programs have no hooks.
TEST_HOOKS := -DEXAM_TEST_HOOKS
TBUILD := $(BUILD)/test
TEST_CORE_OBJS := $(CORE_MODULES:%=$(TBUILD)/core/%.o)
TEST_CORE_LIB := $(TBUILD)/libcore.a
TEST_KIOSK := $(TBUILD)/bin/kiosk
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
FUZZERS := $(patsubst tests/fuzz/%_fuzzer.c,%,$(wildcard tests/fuzz/*_fuzzer.c))

.PHONY: all test check unit unit-run e2e asan fuzz fuzz-build fuzz-replay bench demo install clean deps layering torture
.DEFAULT_GOAL := all

all: layering $(PROGRAMS)

deps:
	@sh tools/install-deps.sh

# The layering lint (DESIGN.md), run by `make` and `make test`:
# - an SDL, curl or microhttpd include in core/ or cert/ is a layering error;
# - only main() of each program prints or exits: no printf, fprintf, puts,
#   perror or exit() in core/ or cert/, and no stdout/stderr there
#   (snprintf/vsnprintf/asprintf into buffers are fine). Comments are skipped.
# - no wall clock in core/ or cert/ (time()): the engine times by the
#   injected monotonic clock and records the injected wall clock
#   (platform.wall_s), so tests can move either;
# - every project include names its file from the top of the tree
#   (#include "core/exam.h", built with -I.), so a grep finds every user.
LINT_ALL_SRCS := $(shell find core cert kiosk tools tests -name '*.[ch]')
LINT_LIB_SRCS := $(wildcard core/*.c core/*.h cert/*.c cert/*.h)
LINT_NO_OUTPUT := (^|[^[:alnum:]_])(v?f?printf|f?puts|putchar|perror|_?exit|_Exit|quick_exit|errx?|warnx?)[[:space:]]*\(|(^|[^[:alnum:]_])(stdout|stderr)([^[:alnum:]_]|$$)
# Who may talk SQL: kiosk.db (store, journal), a pack's content (pack,
# paper), the hub's database (hubstore*).
LINT_SQL_OWNERS := core/store.c core/journal.c core/pack.c core/paper.c tools/hub/hubstore.c tools/hub/hubstore_checks.c tools/hub/hubstore_room.c \
                   tools/hub/hubstore_workflow.c tools/hub/hubstore_decide.c tools/hub/hubstore_staff.c tools/room/roomstore.c \
                   tools/room/roomstore_room.c

layering:
	@if grep -nE '#[[:space:]]*include[[:space:]]*"(\.\./|[^/"]*")' $(LINT_ALL_SRCS); then \
	  echo "include project headers by their path from the top of the tree: #include \"core/exam.h\""; exit 1; fi
	@if grep -nE '#[[:space:]]*include[[:space:]]*[<"](SDL|curl/|microhttpd)' $(LINT_LIB_SRCS); then \
	  echo "core/ and cert/ must not use SDL, curl or microhttpd (see DESIGN.md)"; exit 1; fi
	@bad=$$(for f in $(LINT_LIB_SRCS); do \
	  sed -e 's://.*$$::' -e 's:/\*.*\*/::g' -e 's:/\*.*$$::' -e 's:^[[:space:]]*\*.*$$::' "$$f" | grep -nE '$(LINT_NO_OUTPUT)' | sed "s|^|$$f:|"; done); \
	if [ -n "$$bad" ]; then echo "$$bad"; \
	  echo "core/ and cert/ must not print or exit: return a code and a message for main() (see DESIGN.md)"; exit 1; fi
	@bad=$$(for f in $(LINT_LIB_SRCS); do \
	  sed -e 's://.*$$::' -e 's:/\*.*\*/::g' -e 's:/\*.*$$::' -e 's:^[[:space:]]*\*.*$$::' "$$f" | grep -nE '(^|[^[:alnum:]_.>])time[[:space:]]*\(' | sed "s|^|$$f:|"; done); \
	if [ -n "$$bad" ]; then echo "$$bad"; \
	  echo "core/ and cert/ must not read the wall clock: take it from the caller (platform.wall_s)"; exit 1; fi
	@bad=$$(grep -lE 'sqlite3_[a-z]' $(filter-out $(LINT_SQL_OWNERS),$(wildcard core/*.c cert/*.c tools/*.c tools/hub/*.c tools/room/*.c tools/sync/*.c kiosk/*.c))); \
	if [ -n "$$bad" ]; then echo "$$bad"; \
	  echo "SQL belongs to the storage modules ($(LINT_SQL_OWNERS)): add a function there (see DESIGN.md)"; exit 1; fi

$(BUILD)/core/%.o: core/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c $< -o $@

$(CORE_LIB): $(CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(TBUILD)/core/%.o: core/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) $(TEST_HOOKS) -c $< -o $@

$(TEST_CORE_LIB): $(TEST_CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/cert/%.o: cert/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c $< -o $@

$(CERT_LIB): $(CERT_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tools/%.o: tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c $< -o $@

# exampack template writes .xlsx with libxlsxwriter; its applications take cert/'s columns
bin/exampack: $(BUILD)/tools/exampack.o $(BUILD)/tools/cmdtab.o $(BUILD)/tools/template.o $(CERT_LIB) $(CORE_LIB)
	@mkdir -p bin
	$(CC) $(SANFLAGS) -o $@ $^ $(call pkg_libs,xlsxwriter) $(CORE_LIBS)

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

# the test kiosk: the same program with the test hooks (see TEST_HOOKS)
TEST_KIOSK_OBJS := $(KIOSK_SRCS:kiosk/%.c=$(TBUILD)/kiosk/%.o)
$(TBUILD)/kiosk/%.o: kiosk/%.c
	@mkdir -p $(dir $@)
	$(CC) $(KIOSK_CFLAGS) $(TEST_HOOKS) -c $< -o $@

$(TEST_KIOSK): $(TEST_KIOSK_OBJS) $(KIOSK_PURE_OBJS) $(TEST_CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -o $@ $^ $(KIOSK_LIBS)

NET_PKGS := libcurl libmicrohttpd jansson
NET_CFLAGS := $(CORE_CFLAGS) $(call pkg_cflags,$(NET_PKGS))
# the hub prints tickets and certificates as PDF (tools/hub/pdf.c, qr.c): cairo, pango, libqrencode
PRINT_PKGS := pangocairo libqrencode
HUB_CFLAGS := $(NET_CFLAGS) $(call pkg_cflags,$(PRINT_PKGS))
HUB_LIBS := $(call pkg_libs,libmicrohttpd jansson $(PRINT_PKGS))
HUB_SRCS := $(wildcard tools/hub/*.c)
HUB_OBJS := $(HUB_SRCS:tools/hub/%.c=$(BUILD)/tools/hub/%.o)

$(BUILD)/tools/hub/%.o: tools/hub/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HUB_CFLAGS) -c $< -o $@

$(BUILD)/tools/examhub.o: tools/examhub.c
	@mkdir -p $(dir $@)
	$(CC) $(HUB_CFLAGS) -c $< -o $@

$(BUILD)/tools/examsync.o: tools/examsync.c
	@mkdir -p $(dir $@)
	$(CC) $(NET_CFLAGS) -c $< -o $@

bin/examhub: $(BUILD)/tools/examhub.o $(BUILD)/tools/cmdtab.o $(HUB_OBJS) $(CERT_LIB) $(CORE_LIB)
	@mkdir -p bin
	$(CC) $(SANFLAGS) -o $@ $^ $(HUB_LIBS) $(CORE_LIBS) -lpthread

# the room console (issue 12): its own objects under tools/room/
ROOM_SRCS := $(wildcard tools/room/*.c)
ROOM_OBJS := $(ROOM_SRCS:tools/room/%.c=$(BUILD)/tools/room/%.o)

$(BUILD)/tools/room/%.o: tools/room/%.c
	@mkdir -p $(dir $@)
	$(CC) $(NET_CFLAGS) -c $< -o $@

$(BUILD)/tools/examroom.o: tools/examroom.c
	@mkdir -p $(dir $@)
	$(CC) $(NET_CFLAGS) -c $< -o $@

bin/examroom: $(BUILD)/tools/examroom.o $(BUILD)/tools/cmdtab.o $(ROOM_OBJS) $(BUILD)/tools/hub/connwatch.o $(CORE_LIB)
	@mkdir -p bin
	$(CC) $(SANFLAGS) -o $@ $^ $(call pkg_libs,libmicrohttpd jansson) $(CORE_LIBS) -lpthread

# examsync's own modules (tools/sync/: the HTTP call, the room console link)
SYNC_SRCS := $(wildcard tools/sync/*.c)
SYNC_OBJS := $(SYNC_SRCS:tools/sync/%.c=$(BUILD)/tools/sync/%.o)

$(BUILD)/tools/sync/%.o: tools/sync/%.c
	@mkdir -p $(dir $@)
	$(CC) $(NET_CFLAGS) -c $< -o $@

# examsync verifies hub receipts with core/receipt; it links none of the hub
bin/examsync: $(BUILD)/tools/examsync.o $(BUILD)/tools/cmdtab.o $(SYNC_OBJS) $(BUILD)/tools/room/hello.o $(CORE_LIB)
	@mkdir -p bin
	$(CC) $(SANFLAGS) -o $@ $^ $(call pkg_libs,libcurl jansson) $(CORE_LIBS)

# ---- tests ---------------------------------------------------------------

$(BUILD)/tests/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(TEST_HOOKS) -c $< -o $@


# every unit test links libcert.a before libcore.a: an archive only adds the
# members a test uses, so test_eligibility and test_certrules get cert/ and the
# others none of it. The libcore.a is the test variant's (hooks, counting
# allocator).
$(BUILD)/tests/%: $(BUILD)/tests/%.o $(CERT_LIB) $(TEST_CORE_LIB) $(KIOSK_PURE_OBJS)
	$(CC) $(SANFLAGS) -o $@ $< $(KIOSK_PURE_OBJS) $(CERT_LIB) $(TEST_CORE_LIB) $(TEST_LIBS)

# the hub's text writers (tools/hub/textout.c: the one CSV cell writer, HTML
# escaping) have no library of their own: their unit test links the object
$(BUILD)/tests/test_textout: $(BUILD)/tests/test_textout.o $(BUILD)/tools/hub/textout.o $(CERT_LIB) $(TEST_CORE_LIB) $(KIOSK_PURE_OBJS)
	$(CC) $(SANFLAGS) -o $@ $< $(BUILD)/tools/hub/textout.o $(KIOSK_PURE_OBJS) $(CERT_LIB) $(TEST_CORE_LIB) $(TEST_LIBS)

# the hub's room-record reader (tools/hub/roomrecord.c) reads JSON with jansson: its test links the object
$(BUILD)/tests/test_roomrecord.o: tests/unit/test_roomrecord.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(TEST_HOOKS) $(call pkg_cflags,jansson) -c $< -o $@
$(BUILD)/tests/test_roomrecord: $(BUILD)/tests/test_roomrecord.o $(BUILD)/tools/hub/roomrecord.o $(CERT_LIB) $(TEST_CORE_LIB) $(KIOSK_PURE_OBJS)
	$(CC) $(SANFLAGS) -o $@ $< $(BUILD)/tools/hub/roomrecord.o $(KIOSK_PURE_OBJS) $(CERT_LIB) $(TEST_CORE_LIB) $(TEST_LIBS) $(call pkg_libs,jansson)
# the hub's PDF pages (tools/hub/pdf.c, qr.c) link cairo, pango and libqrencode
$(BUILD)/tests/test_pdf.o: tests/unit/test_pdf.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(TEST_HOOKS) $(call pkg_cflags,$(PRINT_PKGS)) -c $< -o $@
$(BUILD)/tests/test_pdf: $(BUILD)/tests/test_pdf.o $(BUILD)/tools/hub/pdf.o $(BUILD)/tools/hub/qr.o $(TEST_CORE_LIB) $(KIOSK_PURE_OBJS)
	$(CC) $(SANFLAGS) -o $@ $< $(BUILD)/tools/hub/pdf.o $(BUILD)/tools/hub/qr.o $(KIOSK_PURE_OBJS) $(TEST_CORE_LIB) $(TEST_LIBS) \
	    $(call pkg_libs,$(PRINT_PKGS))
# room.db of the room console (tools/room/roomstore*.c): its unit test links the objects
ROOMSTORE_OBJS := $(BUILD)/tools/room/roomstore.o $(BUILD)/tools/room/roomstore_room.o
$(BUILD)/tests/test_roomstore: $(BUILD)/tests/test_roomstore.o $(ROOMSTORE_OBJS) $(CERT_LIB) $(TEST_CORE_LIB) $(KIOSK_PURE_OBJS)
	$(CC) $(SANFLAGS) -o $@ $< $(ROOMSTORE_OBJS) $(KIOSK_PURE_OBJS) $(CERT_LIB) $(TEST_CORE_LIB) $(TEST_LIBS) -lpthread

unit: $(UNIT_TESTS:%=$(BUILD)/tests/%)

unit-run: unit
	@fail=0; for t in $(UNIT_TESTS); do \
	  echo "== $$t"; (cd tests/unit && LSAN_OPTIONS=suppressions=$(abspath tests/unit/lsan.supp) ../../$(BUILD)/tests/$$t) || fail=1; \
	  done; exit $$fail

# small helper programs for the end-to-end tests (e.g. a flaky TCP proxy)
TEST_TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/testtools/%,$(wildcard tests/tools/*.c))
$(BUILD)/testtools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -o $@ $< -lpthread

# the result forger of the hub's checks signs and seals with libcore
$(BUILD)/testtools/forge_result: tests/tools/forge_result.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -o $@ $^ $(CORE_LIBS)

# the room record of the hub's room-record tests signs with a console key and reads kiosk.db (tests/tools/room_record.c)
$(BUILD)/testtools/room_record: tests/tools/room_record.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -o $@ $^ $(CORE_LIBS)

# the seat hello of the room console's tests signs with a kiosk's device key (tools/room/hello.c)
$(BUILD)/testtools/room_hello: tests/tools/room_hello.c $(BUILD)/tools/room/hello.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -o $@ $^ $(CORE_LIBS)

# the console's commands of the kiosk's room-link tests are made with libcore (roomproto, pin, store)
$(BUILD)/testtools/room_cmd: tests/tools/room_cmd.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -o $@ $^ $(CORE_LIBS)
# the .xlsx twins of the tests' CSV files are written with libxlsxwriter
$(BUILD)/testtools/csv2xlsx: tests/tools/csv2xlsx.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) $(call pkg_cflags,xlsxwriter) -o $@ $^ $(call pkg_libs,xlsxwriter) $(CORE_LIBS)
# the simulated seat of the room console's tests signs reports and opens commands with libcore
$(BUILD)/testtools/room_seat: tests/tools/room_seat.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -o $@ $^ $(CORE_LIBS)

# the hostile X client of the lockdown tests needs Xlib
$(BUILD)/testtools/xgrab: tests/tools/xgrab.c
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) $(call pkg_cflags,x11) -o $@ $< $(call pkg_libs,x11)

# KIOSK_TEST: the test kiosk, for the checks that use the crash/fail_writes hooks
e2e: all $(TEST_TOOLS) $(TEST_KIOSK)
	@TEST_TOOLS_DIR=$(abspath $(BUILD)/testtools) KIOSK_TEST=$(abspath $(TEST_KIOSK)) bash tests/e2e/run.sh

asan:
	@$(MAKE) --no-print-directory CONF=debug SANITIZE=address,undefined unit-run

test check: deps
	@$(MAKE) --no-print-directory all
	@MAKE="$(MAKE)" bash tests/run-all.sh

# ---- fuzzing -------------------------------------------------------------

FUZZ_BUILD := build/fuzz
# One instrumented build of core/ (and of the kiosk and hub files some targets
# need), compiled once and linked into every fuzzer: objects get
# -fsanitize=fuzzer-no-link, only the link adds libFuzzer's main.
FUZZ_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer
# (clang flags CAT(base, off, const char *) in core/result.c as a duplicate const:
# a warning, not an error, until that macro is fixed)
FUZZ_CFLAGS := -std=c17 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -I. -g -O1 $(WARN) -MMD -MP \
               -fsanitize=fuzzer-no-link $(FUZZ_SAN) $(call pkg_cflags,$(CORE_PKGS))
FUZZ_LDFLAGS := -fsanitize=fuzzer $(FUZZ_SAN)
FUZZ_CORE_OBJS := $(CORE_MODULES:%=$(FUZZ_BUILD)/core/%.o)
FUZZ_CORE_LIB := $(FUZZ_BUILD)/libcore.a
FUZZ_CERT_OBJS := $(CERT_MODULES:%=$(FUZZ_BUILD)/cert/%.o)
FUZZ_CERT_LIB := $(FUZZ_BUILD)/libcert.a
FUZZ_HUB_OBJS := $(HUB_SRCS:tools/hub/%.c=$(FUZZ_BUILD)/tools/hub/%.o)
# targets that need more than core/: their extra objects and libraries
# (the hub's commands read secrets through tools/cmdtab: cmdtab_secret)
FUZZ_EXTRA_hub := $(FUZZ_HUB_OBJS) $(FUZZ_BUILD)/tools/cmdtab.o $(FUZZ_CERT_LIB)
FUZZ_LIBS_hub := $(HUB_LIBS) -lpthread
FUZZ_EXTRA_roomrecord := $(FUZZ_BUILD)/tools/hub/roomrecord.o
FUZZ_LIBS_roomrecord := $(call pkg_libs,jansson)
FUZZ_EXTRA_script := $(FUZZ_BUILD)/kiosk/scriptline.o
FUZZ_EXTRA_textlayout := $(FUZZ_BUILD)/kiosk/textlayout.o
FUZZ_LIBS_textlayout := $(call pkg_libs,$(TL_PKGS))
# kept after the link (not intermediate): a rebuild then compiles only what changed
.SECONDARY: $(FUZZERS:%=$(FUZZ_BUILD)/obj/%_fuzzer.o) $(FUZZ_HUB_OBJS) $(FUZZ_BUILD)/tools/cmdtab.o $(FUZZ_EXTRA_script) $(FUZZ_EXTRA_textlayout)

$(FUZZ_BUILD)/core/%.o: core/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_CORE_LIB): $(FUZZ_CORE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/cert/%.o: cert/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_CERT_LIB): $(FUZZ_CERT_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/tools/hub/%.o: tools/hub/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(call pkg_cflags,libmicrohttpd jansson $(PRINT_PKGS)) -c $< -o $@

$(FUZZ_BUILD)/tools/cmdtab.o: tools/cmdtab.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/kiosk/%.o: kiosk/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(call pkg_cflags,$(TL_PKGS)) -c $< -o $@

# the fuzz targets themselves define LLVMFuzzerTestOneInput without a prototype
$(FUZZ_BUILD)/obj/%_fuzzer.o: tests/fuzz/%_fuzzer.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wno-missing-prototypes $(call pkg_cflags,libmicrohttpd jansson $(TL_PKGS)) -c $< -o $@

.SECONDEXPANSION:
$(FUZZ_BUILD)/%_fuzzer: $(FUZZ_BUILD)/obj/%_fuzzer.o $$(FUZZ_EXTRA_$$*) $(FUZZ_CORE_LIB)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^ $(FUZZ_LIBS_$*) $(CORE_LIBS)

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
	$(CC) $(CORE_CFLAGS) -o $@ $^ $(CORE_LIBS)

$(BUILD)/bench_store: tests/bench/bench_store.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -o $@ $^ $(CORE_LIBS)

$(BUILD)/bench_hub: tests/bench/bench_hub.c $(HUB_OBJS) $(BUILD)/tools/cmdtab.o $(CERT_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(HUB_CFLAGS) -o $@ $^ $(HUB_LIBS) $(CORE_LIBS) -lpthread

bench: deps
	@$(MAKE) --no-print-directory CONF=release all $(BUILD)/bench_pack $(BUILD)/bench_store $(BUILD)/bench_hub
	@bash tests/bench/run.sh $(BUILD)/bench_pack $(BUILD)/bench_store
	@$(BUILD)/bench_hub 2000
	@$(MAKE) --no-print-directory -s $(TEST_TOOLS) $(TEST_KIOSK) >/dev/null
	@echo "== room console (tests/e2e/test_room_live.sh: one examroom, 40 examsync room daemons, 40 scripted kiosks)"
	@TEST_TOOLS_DIR=$(abspath $(BUILD)/testtools) KIOSK_TEST=$(abspath $(TEST_KIOSK)) E2E_ONLY=test_room_live \
		bash tests/e2e/run.sh 2>&1 | sed -n 's/^room unlock: /room unlock           /p; s/^seat map latency: /seat map latency      /p; s/^  -- test_room_live.sh: /room day checks       /p'

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

-include $(CORE_OBJS:.o=.d) $(CERT_OBJS:.o=.d) $(wildcard $(TBUILD)/*/*.d) $(wildcard $(BUILD)/tools/*.d) $(wildcard $(BUILD)/tools/hub/*.d) $(wildcard $(BUILD)/tools/room/*.d) $(wildcard $(BUILD)/tests/*.d) $(wildcard $(BUILD)/kiosk/*.d)
-include $(wildcard $(FUZZ_BUILD)/*/*.d $(FUZZ_BUILD)/tools/hub/*.d)
