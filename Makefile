# Kiosque: one binary, two commands (make run, make test). See README.md.
PKGS     := libmicrohttpd sqlite3 libpq libsodium jansson libcmark libcurl libqrencode gdlib
CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wcast-qual -Wno-format-nonliteral -Wno-missing-field-initializers
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhpdf -lpthread -lm
BUILD    ?= build
SAN      ?=

SRC      := $(sort $(wildcard src/base/*.c src/db/*.c src/core/*.c src/http/*.c src/web/*.c \
              src/web/views/*.c src/api/*.c src/jobs/*.c))
LIB_OBJ  := $(patsubst src/%.c,$(BUILD)/%.o,$(SRC)) $(BUILD)/embedded.o
MAIN_OBJ := $(BUILD)/main.o
# ---- events: Leaflet for the agenda's map, copied from node_modules (npm ci, pinned by
# package-lock.json) into assets/vendor/ at build time (.gitignore'd), so that static_init
# serves it under /static/vendor/leaflet/ like any other asset. ----
LEAFLET  := $(addprefix assets/vendor/leaflet/,leaflet.js leaflet.css images/layers.png \
            images/layers-2x.png images/marker-icon.png images/marker-icon-2x.png images/marker-shadow.png)
# ---- check-in: jsQR decodes the door scanner's camera frames where the browser has no
# BarcodeDetector; copied from node_modules the same way, served under /static/vendor/jsqr/. ----
JSQR     := assets/vendor/jsqr/jsQR.js
EMBED    := $(sort $(wildcard db/migrations/*.sql)) \
            $(sort $(shell find assets -path assets/vendor -prune -o -type f -print 2>/dev/null)) $(LEAFLET) $(JSQR) \
            $(wildcard data/demo/*.json) $(wildcard src/api/openapi.json)

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all run test unit http browser asan bench lint check-layers clean deps

all: kiosque

deps:
	@bash scripts/deps.sh

kiosque: $(BUILD)/kiosque
	@cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/kiosque: $(LIB_OBJ) $(MAIN_OBJ)
	@echo "  LD $@"; $(CC) $(SAN) -o $@ $^ $(PKG_LIBS)

# Each object depends on the headers it really includes (-MMD writes them to a .d file beside it):
# a change to one header rebuilds only the files that include it.
$(BUILD)/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(CC) $(CFLAGS) $(SAN) $(WARN) $(PKG_CFLAGS) -MMD -MP -Isrc -c -o $@ $<

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -o $@ $<

$(BUILD)/embedded.c: $(BUILD)/tools/embed $(EMBED)
	@$(BUILD)/tools/embed $(EMBED) > $@.tmp && mv $@.tmp $@

assets/vendor/leaflet/%: node_modules/leaflet/dist/%
	@mkdir -p $(dir $@)
	@cp $< $@

assets/vendor/jsqr/%: node_modules/jsqr/dist/%
	@mkdir -p $(dir $@)
	@cp $< $@

$(BUILD)/embedded.o: $(BUILD)/embedded.c
	@$(CC) -O0 $(SAN) -Isrc -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST $@"; $(CC) $(CFLAGS) $(SAN) $(WARN) -Wno-missing-prototypes $(PKG_CFLAGS) -Isrc -o $@ $< \
	    $(LIB_OBJ) $(PKG_LIBS) $(shell pkg-config --libs cmocka)

# The demo territory is loaded only when this makes the database (first run).
run: deps kiosque
	@if [ -f kiosque.db ]; then ./kiosque serve; else ./kiosque serve --demo; fi

# Every suite, on both backends: unit and HTTP, then the same under ASan+UBSan, then the browser.
test: deps
	@bash tests/run-all.sh

unit: kiosque $(UNIT_BIN)
	@bash tests/unit/run.sh $(BUILD)

http: kiosque
	@bash tests/http/run.sh

browser: kiosque
	@bash tests/browser/run.sh

asan:
	$(MAKE) BUILD=build-asan SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" CFLAGS="-O1 -g" build-asan/kiosque $(patsubst $(BUILD)/%,build-asan/%,$(UNIT_BIN))

bench: deps kiosque
	@bash bench/run.sh

lint:
	@clang-format --dry-run --Werror $(SRC) 2>/dev/null || echo "lint: clang-format differences (advisory)"

check-layers:
	@bash tools/check-layers.sh

clean:
	rm -rf build build-asan kiosque assets/vendor
