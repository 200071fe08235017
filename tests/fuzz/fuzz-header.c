// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the header parser (no I/O: veil_header_parse and
 * veil_header_decode take buffers). Each input is parsed as is, and again
 * with the checksum of each copy recomputed, so mutations of any field get
 * past the SHA-256 check to the range and overlap checks. Whatever parses
 * must survive invariants a correct parser keeps: it re-encodes, the
 * encoding decodes to the same bytes, and the JSON dump works. The same
 * bytes are also loaded through an in-memory veil_io.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "veil_format.h"

static void check_parsed(const struct veil_header *h, const struct veil_load_report *rep)
{
	static uint8_t a[VEIL_HDR_COPY_SIZE], b[VEIL_HDR_COPY_SIZE];
	struct veil_header again;
	enum veil_copy_status st;
	char *json = NULL;
	unsigned i;

	if (rep->used_copy != 0 && rep->used_copy != 1)
		abort();
	if (rep->copy[rep->used_copy] != VEIL_COPY_OK)
		abort();
	/* A header the parser accepted is one the encoder accepts... */
	for (i = 0; i < 2; i++) {
		if (veil_header_encode(h, i, a))
			abort();
		/* ...and its encoding decodes to an identical encoding. */
		if (veil_header_decode(a, sizeof(a), i, &again, &st) || st != VEIL_COPY_OK)
			abort();
		if (veil_header_encode(&again, i, b) || memcmp(a, b, sizeof(a)))
			abort();
	}
	if (veil_header_to_json(h, rep, &json) || !json)
		abort();
	free(json);
}

static void parse(const uint8_t *data, size_t size)
{
	struct veil_header h;
	struct veil_load_report rep;
	enum veil_copy_status st;

	veil_header_decode(data, size, 0, &h, &st);
	if (size > VEIL_HDR_COPY1_OFFSET)
		veil_header_decode(data + VEIL_HDR_COPY1_OFFSET, size - VEIL_HDR_COPY1_OFFSET, 1, &h, &st);
	if (!veil_header_parse(data, size, &h, &rep))
		check_parsed(&h, &rep);
	veil_probe_magic(data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	struct veil_io io;
	struct veil_volume *vol = NULL;

	parse(data, size);
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (size >= VEIL_HDR_COPY_SIZE)
		veil_header_copy_reseal(copy);
	if (size >= VEIL_HDR_COPY1_OFFSET + VEIL_HDR_COPY_SIZE)
		veil_header_copy_reseal(copy + VEIL_HDR_COPY1_OFFSET);
	parse(copy, size);
	/* The loader on the same bytes, read-only: never writes, never crashes. */
	veil_io_from_memory(&io, copy, size, true);
	if (!veil_load(&io, 0, &vol, NULL))
		veil_volume_free(vol);
	free(copy);
	return 0;
}
