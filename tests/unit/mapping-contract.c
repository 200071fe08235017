// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tool-kernel contract (tool/mapping.c): names built and parsed back,
 * the key reference, the table line in both directions, and the dm-crypt
 * fallback decision. Every case names what a wrong answer would break.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/check.h"
#include "mapping.h"
#include "veil_format.h"

static const char *U = "0123abcd-4567-89ef-0123-456789abcdef";

static void names(void)
{
	char out[MAPPING_DM_UUID_MAX], small[10];
	struct mapping_owner o;
	const char *why;
	char longname[MAPPING_NAME_MAX + 2];

	CHECK(!mapping_key_desc(U, out, sizeof(out)) && !strcmp(out, "veil:0123abcd-4567-89ef-0123-456789abcdef"),
	      "contract: key description is veil:<uuid>");
	CHECK(mapping_key_desc("0123ABCD-4567-89ef-0123-456789abcdef", out, sizeof(out)) == -EINVAL,
	      "contract: an upper-case UUID is not one open makes");
	CHECK(mapping_key_desc("0123abcd4567-89ef-0123-456789abcdef0", out, sizeof(out)) == -EINVAL,
	      "contract: a UUID with a misplaced dash is refused");
	CHECK(!mapping_dm_uuid(U, "data", out, sizeof(out)) &&
	      !strcmp(out, "VEIL-0123abcd456789ef0123456789abcdef-data"),
	      "contract: DM UUID is VEIL-<32 hex>-<name>");
	CHECK(!mapping_plain_dm_uuid("swap", out, sizeof(out)) && !strcmp(out, "VEIL-PLAIN-swap"),
	      "contract: plain DM UUID is VEIL-PLAIN-<name>");
	CHECK(!mapping_plain_key_desc("swap", out, sizeof(out)) && !strcmp(out, "veil:PLAIN-swap"),
	      "contract: plain key description is veil:PLAIN-<name>");
	CHECK(mapping_dm_uuid(U, "data", small, sizeof(small)) == -ENAMETOOLONG && !small[0],
	      "contract: a short buffer is an error, never a truncated name");

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	CHECK(mapping_name_check(longname, &why) == -EINVAL && why, "contract: a 91-character name is refused");
	longname[MAPPING_NAME_MAX] = 0;
	CHECK(!mapping_name_check(longname, &why) && !mapping_dm_uuid(U, longname, out, sizeof(out)) &&
	      strlen(out) < MAPPING_DM_UUID_MAX, "contract: a 90-character name fits device-mapper's UUID");
	CHECK(mapping_name_check("a/b", &why) && mapping_name_check("control", &why) &&
	      mapping_name_check("a b", &why) && mapping_name_check("", &why) &&
	      mapping_name_check("..", &why), "contract: names /dev/mapper cannot hold are refused");

	/* Round trip: what open names, close/status/resume read back. */
	mapping_dm_uuid(U, "my-data-vol", out, sizeof(out));
	CHECK(!mapping_dm_uuid_parse(out, &o) && !o.plain && !strcmp(o.volume_uuid, U) &&
	      !strcmp(o.name, "my-data-vol") && !strcmp(o.key_desc, "veil:0123abcd-4567-89ef-0123-456789abcdef"),
	      "contract: DM UUID parses back to the volume UUID, name and key (name with dashes)");
	CHECK(!mapping_dm_uuid_parse("VEIL-PLAIN-sw-ap", &o) && o.plain && !o.volume_uuid[0] &&
	      !strcmp(o.name, "sw-ap") && !strcmp(o.key_desc, "veil:PLAIN-sw-ap"),
	      "contract: plain DM UUID parses back to its key");
	CHECK(mapping_dm_uuid_parse("CRYPT-LUKS2-0123abcd456789ef0123456789abcdef-x", &o) == -EINVAL &&
	      !mapping_is_ours("CRYPT-LUKS2-x"), "contract: a cryptsetup mapping is not ours");
	CHECK(mapping_dm_uuid_parse("VEIL-0123abcd456789ef0123456789abcdeX-x", &o) == -EINVAL,
	      "contract: a DM UUID with a non-hex digit is refused");
	CHECK(mapping_dm_uuid_parse("VEIL-0123abcd456789ef0123456789abcdef", &o) == -EINVAL &&
	      mapping_dm_uuid_parse("VEIL-0123abcd456789ef0123456789abcdef-", &o) == -EINVAL,
	      "contract: a DM UUID without a name is refused");
	CHECK(mapping_dm_uuid_parse("VEIL-", &o) == -EINVAL && mapping_dm_uuid_parse("VEIL-PLAIN-", &o) == -EINVAL,
	      "contract: an empty VEIL- DM UUID is refused");
}

static void key_refs(void)
{
	char out[200], desc[64];
	unsigned int bytes = 0;

	CHECK(!mapping_key_ref(64, "veil:x", out, sizeof(out)) && !strcmp(out, ":64:logon:veil:x"),
	      "contract: key reference is :<bytes>:logon:<desc>");
	CHECK(!mapping_key_ref_parse(":64:logon:veil:x", &bytes, desc, sizeof(desc)) && bytes == 64 &&
	      !strcmp(desc, "veil:x"), "contract: key reference parses back");
	CHECK(mapping_key_ref_parse(":64:user:veil:x", &bytes, desc, sizeof(desc)) == -EINVAL,
	      "contract: a user key is not a logon key");
	CHECK(mapping_key_ref_parse(":+64:logon:x", &bytes, desc, sizeof(desc)) == -EINVAL &&
	      mapping_key_ref_parse(":064:logon:x", &bytes, desc, sizeof(desc)) == -EINVAL &&
	      mapping_key_ref_parse(":0:logon:x", &bytes, desc, sizeof(desc)) == -EINVAL &&
	      mapping_key_ref_parse(":64x:logon:x", &bytes, desc, sizeof(desc)) == -EINVAL &&
	      mapping_key_ref_parse("::logon:x", &bytes, desc, sizeof(desc)) == -EINVAL,
	      "contract: key sizes are whole canonical numbers");
	CHECK(mapping_key_ref_parse(":64:logon:", &bytes, desc, sizeof(desc)) == -EINVAL,
	      "contract: a key reference without a description is refused");
	CHECK(mapping_key_ref(0, "x", out, sizeof(out)) == -EINVAL && mapping_key_ref(64, "a b", out, sizeof(out)) == -EINVAL,
	      "contract: no key reference is built for an empty key or a description with a space");
}

static void tables(void)
{
	struct mapping m = {
		.target = "veil", .cipher = "aes-xts-plain64", .key_bytes = 64,
		.key_desc = "veil:0123abcd-4567-89ef-0123-456789abcdef", .iv_offset = 0,
		.device = "7:0", .offset = 32768, .len = 1000, .sector_size = 4096,
		.iv_large_sectors = true,
		.flags = VEIL_FLAG_ALLOW_DISCARDS | VEIL_FLAG_NO_READ_WORKQUEUE,
	};
	struct mapping p;
	char cipher[64], desc[200], dev[64];
	char *s = mapping_params(&m);

	CHECK(s && !strcmp(s, "aes-xts-plain64 :64:logon:veil:0123abcd-4567-89ef-0123-456789abcdef 0 7:0 32768 "
			   "4 sector_size:4096 iv_large_sectors allow_discards no_read_workqueue"),
	      "contract: table line with options in a fixed order (got '%s')", s ? s : "(null)");
	CHECK(s && !mapping_parse(s, &p, cipher, sizeof(cipher), desc, sizeof(desc), dev, sizeof(dev)) &&
	      !strcmp(p.cipher, m.cipher) && p.key_bytes == 64 && p.key_state == KEY_KEYRING &&
	      !strcmp(p.key_desc, m.key_desc) && p.offset == 32768 && !strcmp(p.device, "7:0") &&
	      p.sector_size == 4096 && p.iv_large_sectors && p.flags == m.flags,
	      "contract: the table line parses back to the same mapping");
	free(s);
	m.sector_size = 512;
	m.iv_large_sectors = false;
	m.flags = 0;
	s = mapping_params(&m);
	CHECK(s && !strcmp(s, "aes-xts-plain64 :64:logon:veil:0123abcd-4567-89ef-0123-456789abcdef 0 7:0 32768"),
	      "contract: no option count without options");
	free(s);

	CHECK(!mapping_parse("aes-xts-plain64 - 0 7:0 0", &p, cipher, sizeof(cipher), desc, sizeof(desc), dev, sizeof(dev)) &&
	      p.key_state == KEY_WIPED && !p.key_bytes, "contract: '-' key is a wiped key");
	CHECK(!mapping_parse("aes-xts-plain64 0000000000000000 0 7:0 0", &p, cipher, sizeof(cipher), desc, sizeof(desc), dev, sizeof(dev)) &&
	      p.key_state == KEY_WIPED && p.key_bytes == 8, "contract: dm-crypt's all-zero key is a wiped key");
	CHECK(!mapping_parse("aes-xts-plain64 00ff 0 7:0 0", &p, cipher, sizeof(cipher), desc, sizeof(desc), dev, sizeof(dev)) &&
	      p.key_state == KEY_HEX, "contract: a hex key is noticed (and not copied out)");
	m.flags = VEIL_FLAG_NO_INLINE | VEIL_FLAG_ALLOW_DISCARDS;
	s = mapping_params(&m);
	CHECK(s && !strcmp(s, "aes-xts-plain64 :64:logon:veil:0123abcd-4567-89ef-0123-456789abcdef 0 7:0 32768 "
			   "2 allow_discards no_inline"),
	      "contract: a veil table carries no_inline (got '%s')", s ? s : "(null)");
	CHECK(s && !mapping_parse(s, &p, cipher, sizeof(cipher), desc, sizeof(desc), dev, sizeof(dev)) &&
	      p.flags == m.flags && !p.nextra, "contract: no_inline parses back as the header flag");
	free(s);
	m.target = "crypt";
	s = mapping_params(&m);
	CHECK(s && !strcmp(s, "aes-xts-plain64 :64:logon:veil:0123abcd-4567-89ef-0123-456789abcdef 0 7:0 32768 "
			   "1 allow_discards"),
	      "contract: a crypt table leaves no_inline out, dm-crypt's default (got '%s')", s ? s : "(null)");
	free(s);
	m.flags = VEIL_FLAG_NO_INLINE;
	s = mapping_params(&m);
	CHECK(s && !strcmp(s, "aes-xts-plain64 :64:logon:veil:0123abcd-4567-89ef-0123-456789abcdef 0 7:0 32768"),
	      "contract: a crypt table with only no_inline has no option count (got '%s')", s ? s : "(null)");
	free(s);
	m.target = "veil";
	m.flags = 0;
	CHECK(!mapping_parse("c :32:logon:d 5 8:1 9 1 same_cpu_crypt", &p, cipher, sizeof(cipher), desc, sizeof(desc), dev, sizeof(dev)) &&
	      p.flags == VEIL_FLAG_SAME_CPU_CRYPT && p.iv_offset == 5, "contract: a perf flag parses from the flag table");

	static const char *bad[] = {
		"", "aes", "aes :32:logon:d", "aes :32:logon:d 0", "aes :32:logon:d 0 8:1",
		"aes :32:logon:d 0 8:1 1x", "aes :32:logon:d x 8:1 0", "aes :32:logon:d -1 8:1 0",
		"aes :32:logon:d 0 8:1 0 1", "aes :32:logon:d 0 8:1 0 2 allow_discards",
		"aes :32:logon:d 0 8:1 0 1 allow_discards junk", "aes :32:logon:d 0 8:1 0 1 sector_size",
		"aes :32:logon:d 0 8:1 0 1 sector_size:1000", "aes :32:logon:d 0 8:1 0 1 sector_size:8192",
		"aes :32:logon:d 0 8:1 0 0", "aes :32:logon:d 0 8:1 0 01 allow_discards",
		"aes 0g 0 8:1 0", "aes abc 0 8:1 0", "aes :32:user:d 0 8:1 0",
		"aes :32:logon:d 18446744073709551616 8:1 0", "aes :32:logon:d 0 8:1 0 1 sector_size:",
		"aes :32:logon:d 0 8:1 0 1 iv_large_sectors:1", "aes :32:logon:d 0 8:1 0 1 a\tb",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(mapping_parse(bad[i], &p, cipher, sizeof(cipher), desc, sizeof(desc), dev, sizeof(dev)) == -EINVAL,
		      "contract: table '%s' is refused", bad[i]);
	CHECK(mapping_parse("aes :32:logon:d 0 8:1 0", &p, cipher, 3, desc, sizeof(desc), dev, sizeof(dev)) == -EINVAL,
	      "contract: a cipher longer than the buffer is refused, not truncated");
}

/*
 * resize and refresh rebuild the table from what mapping_parse read from
 * the live one: every option must survive, the ones the tool does not
 * interpret included, in their order, with the count right.
 */
static void keep_options(void)
{
	struct mapping p, again;
	char cipher[64], desc[200], dev[64], c2[64], d2[200], v2[64], *s;
	const char *live = "aes-xts-plain64 :64:logon:veil:x 0 253:1 32768 "
			   "5 allow_discards same_cpu_crypt integrity:28:aead sector_size:4096 high_priority";
	char big[600];
	int n;

	CHECK(!mapping_parse(live, &p, cipher, sizeof(cipher), desc, sizeof(desc), dev, sizeof(dev)),
	      "keep: a live table with options the tool does not know parses");
	s = mapping_params(&p);
	CHECK(s && !strcmp(s, "aes-xts-plain64 :64:logon:veil:x 0 253:1 32768 "
			   "5 sector_size:4096 allow_discards same_cpu_crypt integrity:28:aead high_priority"),
	      "keep: the rebuilt line keeps every option and the count (got '%s')", s ? s : "(null)");
	CHECK(s && !mapping_parse(s, &again, c2, sizeof(c2), d2, sizeof(d2), v2, sizeof(v2)) &&
	      again.nextra == 2 && !strcmp(again.extra, p.extra) && again.flags == p.flags &&
	      again.sector_size == 4096, "keep: the rebuilt line parses back to the same options");
	free(s);
	p.flags = 0;	/* refresh replaces the flags; the other options stay */
	s = mapping_params(&p);
	CHECK(s && !strcmp(s, "aes-xts-plain64 :64:logon:veil:x 0 253:1 32768 "
			   "3 sector_size:4096 integrity:28:aead high_priority"),
	      "keep: new flags replace the old ones, unknown options stay (got '%s')", s ? s : "(null)");
	free(s);
	n = snprintf(big, sizeof(big), "aes :32:logon:d 0 8:1 0 9");
	for (int i = 0; i < 9; i++)
		n += snprintf(big + n, sizeof(big) - (size_t)n, " option_%d_%.40s", i,
			      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	CHECK(mapping_parse(big, &p, cipher, sizeof(cipher), desc, sizeof(desc), dev, sizeof(dev)) == -EINVAL,
	      "keep: unknown options that do not fit are refused, never dropped");
}

static void target_flags(void)
{
	uint32_t perf = VEIL_FLAG_SAME_CPU_CRYPT | VEIL_FLAG_SUBMIT_FROM_CRYPT_CPUS |
			VEIL_FLAG_NO_READ_WORKQUEUE | VEIL_FLAG_NO_WRITE_WORKQUEUE;

	CHECK(!mapping_flags_unsupported("veil", VEIL_FLAG_ALLOW_DISCARDS),
	      "target flags: the veil target applies allow_discards");
	CHECK(mapping_flags_unsupported("veil", VEIL_FLAG_ALLOW_DISCARDS | perf) == perf,
	      "target flags: the veil target cannot apply the dm-crypt workqueue flags");
	CHECK(mapping_flags_newer(VEIL_FLAG_NO_INLINE | VEIL_FLAG_ALLOW_DISCARDS, 0) == VEIL_FLAG_NO_INLINE &&
	      !mapping_flags_newer(VEIL_FLAG_NO_INLINE | VEIL_FLAG_ALLOW_DISCARDS, 1),
	      "target flags: no_inline needs veil 1.1, allow_discards any 1.x");
	CHECK(!mapping_flags_unsupported("veil", VEIL_FLAG_NO_INLINE) &&
	      !mapping_flags_unsupported("crypt", VEIL_FLAG_NO_INLINE),
	      "target flags: no_inline is applied by veil, and is dm-crypt's default");
	CHECK(!mapping_flags_unsupported("crypt", VEIL_FLAGS_KNOWN),
	      "target flags: dm-crypt applies every persistent flag");
	CHECK(mapping_flags_unsupported("crypt", 1u << 20) == 1u << 20 &&
	      mapping_flags_unsupported("other", VEIL_FLAG_ALLOW_DISCARDS) == VEIL_FLAG_ALLOW_DISCARDS,
	      "target flags: an unknown bit or target applies nothing");
	CHECK(mapping_flag_word(VEIL_FLAG_NO_READ_WORKQUEUE | VEIL_FLAG_NO_WRITE_WORKQUEUE) &&
	      !strcmp(mapping_flag_word(VEIL_FLAG_NO_READ_WORKQUEUE | VEIL_FLAG_NO_WRITE_WORKQUEUE),
		      "no_read_workqueue") && !mapping_flag_word(0),
	      "target flags: the refusal names the first flag by its table word");
	/* Every persistent flag the format knows is in the table: applied or refused. */
	CHECK((mapping_flag_bits() & VEIL_FLAGS_KNOWN) == VEIL_FLAGS_KNOWN,
	      "target flags: every known header flag has a table entry");
}

static void fallback(void)
{
	CHECK(mapping_fallback(0, "veil", false, true, true) == FALLBACK_NONE,
	      "fallback: a mapping that loaded needs none");
	CHECK(mapping_fallback(-EINVAL, "veil", false, false, true) == FALLBACK_NONE,
	      "fallback: a veil target that is present but refused the table is reported as is");
	CHECK(mapping_fallback(-EINVAL, "veil", true, true, true) == FALLBACK_NONE,
	      "fallback: an explicit --target veil is never replaced");
	CHECK(mapping_fallback(-EINVAL, "crypt", false, true, true) == FALLBACK_NONE,
	      "fallback: the crypt target has no fallback");
	CHECK(mapping_fallback(-EINVAL, "veil", false, true, false) == FALLBACK_REFUSE,
	      "fallback: without a terminal (or with --batch) the user is told to pass --target crypt");
	CHECK(mapping_fallback(-EINVAL, "veil", false, true, true) == FALLBACK_ASK,
	      "fallback: on a terminal the user is asked");
	CHECK(!mapping_fallback_possible(-EINVAL, "veil", true) && mapping_fallback_possible(-EINVAL, "veil", false),
	      "fallback: the target probe is only needed when a fallback is possible");
}

static void flags(void)
{
	const struct mapping_flag *f = mapping_flag_by_option("allow-discards");

	CHECK(f && f->header_flag == VEIL_FLAG_ALLOW_DISCARDS && !strcmp(f->table, "allow_discards"),
	      "flags: --allow-discards maps to allow_discards and the header flag");
	CHECK(mapping_flag_by_option("perf-no_write_workqueue") &&
	      mapping_flag_by_option("perf-no_write_workqueue")->header_flag == VEIL_FLAG_NO_WRITE_WORKQUEUE,
	      "flags: --perf-no_write_workqueue (cryptsetup's spelling) is in the table");
	CHECK(!mapping_flag_by_option("perf-nonsense"), "flags: an unknown flag is not found");
	uint32_t all = 0;
	for (size_t i = 0; i < mapping_nflags; i++)
		all |= mapping_flags[i].header_flag;
	CHECK((all & ~VEIL_FLAGS_KNOWN) == 0, "flags: every table flag is a header flag the format knows");
}

int main(void)
{
	names();
	key_refs();
	tables();
	keep_options();
	target_flags();
	fallback();
	flags();
	return CHECK_EXIT();
}
