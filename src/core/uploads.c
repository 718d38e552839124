/* uploads.c: image uploads: sniffing by magic numbers, resizing (libgd), storage and retrieval */
#include "uploads.h"
#include "base/crypto.h"
#include "base/timefmt.h"
#include <gd.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>

static const struct db_sql SQL_INSERT = { "uploads_insert",
	"INSERT INTO uploads (sha256, content_type, bytes, size, uploaded_by, created_at)"
	" VALUES ($1, $2, $3, $4, $5, $6) RETURNING id" };

static const struct db_sql SQL_DELETE = { "uploads_delete",
	"DELETE FROM uploads WHERE id = $1" };

static const struct db_sql SQL_GET = { "uploads_get",
	"SELECT id, sha256, content_type, bytes, size, created_at FROM uploads WHERE id = $1" };

const char *uploads_sniff_image(const void *p, size_t n)
{
	const unsigned char *b = p;
	if (!b)
		return NULL;
	/* PNG: the 8-byte signature, then the IHDR chunk, which must come first. */
	if (n >= 16 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(b + 12, "IHDR", 4) == 0)
		return "image/png";
	/* JPEG: SOI marker followed by the start of another marker. */
	if (n >= 4 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return "image/jpeg";
	/* WebP: a RIFF container of form WEBP whose first chunk is a VP8 variant. */
	if (n >= 16 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0 &&
	    (memcmp(b + 12, "VP8 ", 4) == 0 || memcmp(b + 12, "VP8L", 4) == 0 ||
	     memcmp(b + 12, "VP8X", 4) == 0))
		return "image/webp";
	return NULL;
}

enum kq_err uploads_check_image(const void *p, size_t n, const char **out_type)
{
	*out_type = NULL;
	if (n > UPLOAD_IMAGE_MAX)
		return KQ_ERR_UPLOAD_TOO_LARGE;
	const char *t = uploads_sniff_image(p, n);
	if (!t)
		return KQ_ERR_UPLOAD_BAD_TYPE;
	*out_type = t;
	return KQ_OK;
}

enum db_status uploads_insert(struct db *db, const void *p, size_t n, const char *content_type,
			      int64_t uploaded_by, int64_t *out_id)
{
	char sha[TOKEN_HASH_HEX_LEN + 1];
	crypto_sha256_hex(p, n, sha);
	struct db_stmt *st = db_stmt(db, &SQL_INSERT);
	db_bind_text(st, 1, sha);
	db_bind_text(st, 2, content_type);
	db_bind_blob(st, 3, p, n);
	db_bind_i64(st, 4, (int64_t)n);
	if (uploaded_by)
		db_bind_i64(st, 5, uploaded_by);
	else
		db_bind_null(st, 5);
	db_bind_i64(st, 6, time_now());
	enum db_status s = db_step(st);
	if (s == DB_ROW)
		*out_id = db_col_i64(st, 0);
	db_reset(st);
	return s == DB_ROW ? DB_NONE : s == DB_NONE ? DB_HARD : s;
}

enum db_status uploads_delete(struct db *db, int64_t id)
{
	struct db_stmt *st = db_stmt(db, &SQL_DELETE);
	db_bind_i64(st, 1, id);
	return db_run(st);
}

enum kq_err uploads_get(struct db *db, struct arena *a, int64_t id, struct upload *out)
{
	struct db_stmt *st = db_stmt(db, &SQL_GET);
	db_bind_i64(st, 1, id);
	enum db_status s = db_step(st);
	if (s == DB_ROW) {
		size_t len = 0;
		const void *p = db_col_blob(st, 3, &len);
		out->id = db_col_i64(st, 0);
		out->sha256 = arena_strdup(a, db_col_text(st, 1));
		out->content_type = arena_strdup(a, db_col_text(st, 2));
		out->bytes = p ? arena_memdup(a, p, len) : arena_strdup(a, "");
		out->size = p ? len : 0;
		out->created_at = db_col_i64(st, 5);
	}
	db_reset(st);
	return s == DB_ROW ? KQ_OK : s == DB_NONE ? KQ_ERR_NOT_FOUND : KQ_ERR_INTERNAL;
}

/* ---- resizing ------------------------------------------------------------------------------- */

static int be16(const unsigned char *b)
{
	return b[0] << 8 | b[1];
}

static int le16(const unsigned char *b)
{
	return b[0] | b[1] << 8;
}

/* JPEG: walk the markers to the first start-of-frame (SOF0..SOF15 but for
 * DHT C4, JPG C8 and DAC CC), which holds the height then the width. */
static bool jpeg_dimensions(const unsigned char *b, size_t n, int *w, int *h)
{
	size_t i = 2;
	while (i + 4 <= n) {
		if (b[i] != 0xff)
			return false;
		unsigned char m = b[i + 1];
		if (m == 0xff) {   /* fill byte */
			i++;
			continue;
		}
		if (m == 0xd8 || (m >= 0xd0 && m <= 0xd7) || m == 0x01) {   /* no length */
			i += 2;
			continue;
		}
		size_t len = (size_t)be16(b + i + 2);
		if (len < 2)
			return false;
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
			if (i + 9 > n)
				return false;
			*h = be16(b + i + 5);
			*w = be16(b + i + 7);
			return true;
		}
		if (m == 0xd9 || m == 0xda)   /* end, or scan data before any frame header */
			return false;
		i += 2 + len;
	}
	return false;
}

bool uploads_image_dimensions(const void *p, size_t n, int *out_w, int *out_h)
{
	const unsigned char *b = p;
	const char *type = uploads_sniff_image(p, n);
	int w = 0, h = 0;
	*out_w = *out_h = 0;
	if (!type)
		return false;
	if (strcmp(type, "image/png") == 0) {
		if (n < 24)
			return false;
		/* IHDR: width and height, 4 bytes each, big-endian (at most 2^31-1). */
		if (b[16] || b[20])
			return false;
		w = b[17] << 16 | b[18] << 8 | b[19];
		h = b[21] << 16 | b[22] << 8 | b[23];
	} else if (strcmp(type, "image/jpeg") == 0) {
		if (!jpeg_dimensions(b, n, &w, &h))
			return false;
	} else if (memcmp(b + 12, "VP8 ", 4) == 0) {
		/* Lossy: frame tag (3), start code 9d 01 2a, then 14-bit width and height. */
		if (n < 30 || b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a)
			return false;
		w = le16(b + 26) & 0x3fff;
		h = le16(b + 28) & 0x3fff;
	} else if (memcmp(b + 12, "VP8L", 4) == 0) {
		/* Lossless: signature 0x2f, then width-1 and height-1 on 14 bits each. */
		if (n < 25 || b[20] != 0x2f)
			return false;
		uint32_t v = (uint32_t)b[21] | (uint32_t)b[22] << 8 | (uint32_t)b[23] << 16 |
			     (uint32_t)b[24] << 24;
		w = (int)(v & 0x3fff) + 1;
		h = (int)((v >> 14) & 0x3fff) + 1;
	} else {
		/* Extended: the canvas, width-1 and height-1 on 24 bits each. */
		if (n < 30)
			return false;
		w = (b[24] | b[25] << 8 | b[26] << 16) + 1;
		h = (b[27] | b[28] << 8 | b[29] << 16) + 1;
	}
	if (w <= 0 || h <= 0)
		return false;
	*out_w = w;
	*out_h = h;
	return true;
}

/* libgd reports through this hook; a refused image is our answer enough. */
static void gd_quiet(int priority, const char *format, va_list args)
{
	(void)priority;
	(void)format;
	(void)args;
}

static pthread_once_t gd_once = PTHREAD_ONCE_INIT;

static void gd_setup(void)
{
	gdSetErrorMethod(gd_quiet);   /* process-wide: set once, before any worker decodes */
}

/* The EXIF orientation (1..8) of a JPEG: how a camera held sideways says
 * which way is up. The APP1 "Exif" segment holds a TIFF header and IFD0,
 * whose tag 0x0112 is the orientation. 1 (as stored) when absent or
 * unreadable. */
static int jpeg_orientation(const unsigned char *b, size_t n)
{
	size_t i = 2;
	while (i + 4 <= n && b[i] == 0xff) {
		unsigned char m = b[i + 1];
		if (m == 0xda || m == 0xd9)
			break;
		size_t len = (size_t)be16(b + i + 2);
		if (len < 2 || i + 2 + len > n)
			break;
		const unsigned char *seg = b + i + 4;
		size_t slen = len - 2;
		if (m == 0xe1 && slen >= 14 && memcmp(seg, "Exif\0\0", 6) == 0) {
			const unsigned char *t = seg + 6;
			size_t tlen = slen - 6;
			bool le = memcmp(t, "II*\0", 4) == 0;
			if (!le && memcmp(t, "MM\0*", 4) != 0)
				return 1;
#define RD16(q) (le ? (int)((q)[0] | (q)[1] << 8) : (int)((q)[0] << 8 | (q)[1]))
#define RD32(q) (le ? ((uint32_t)(q)[0] | (uint32_t)(q)[1] << 8 | (uint32_t)(q)[2] << 16 | (uint32_t)(q)[3] << 24) \
		    : ((uint32_t)(q)[0] << 24 | (uint32_t)(q)[1] << 16 | (uint32_t)(q)[2] << 8 | (uint32_t)(q)[3]))
			uint32_t ifd = RD32(t + 4);
			if (ifd < 8 || (size_t)ifd + 2 > tlen)
				return 1;
			int count = RD16(t + ifd);
			for (int k = 0; k < count; k++) {
				size_t e = (size_t)ifd + 2 + (size_t)k * 12;
				if (e + 12 > tlen)
					return 1;
				if (RD16(t + e) == 0x0112 && RD16(t + e + 2) == 3) {
					int v = RD16(t + e + 8);
					return v >= 1 && v <= 8 ? v : 1;
				}
			}
#undef RD16
#undef RD32
			return 1;
		}
		i += 2 + len;
	}
	return 1;
}

/* Turns im as the EXIF orientation says, so that what is stored (without
 * the EXIF) shows upright. gd's angles run counterclockwise; multiples of
 * 90 degrees are exact. Returns the image to use (im, or a new one and im
 * destroyed); NULL when out of memory. */
static gdImagePtr apply_orientation(gdImagePtr im, int orientation)
{
	static const int angle[9] = { 0, 0, 0, 180, 0, 90, 270, 270, 90 };
	if (orientation <= 1 || orientation > 8)
		return im;
	gdImagePtr out = im;
	if (angle[orientation]) {
		out = gdImageRotateInterpolated(im, (float)angle[orientation], 0);
		gdImageDestroy(im);
		if (!out)
			return NULL;
	}
	if (orientation == 2)
		gdImageFlipHorizontal(out);
	else if (orientation == 4 || orientation == 5 || orientation == 7)
		gdImageFlipVertical(out);
	return out;
}

static gdImagePtr decode(const void *p, size_t n, const char *type)
{
	void *data = (void *)(uintptr_t)p;   /* libgd takes a non-const pointer and only reads */
	if (strcmp(type, "image/png") == 0)
		return gdImageCreateFromPngPtr((int)n, data);
	if (strcmp(type, "image/jpeg") == 0)
		return gdImageCreateFromJpegPtr((int)n, data);
	return gdImageCreateFromWebpPtr((int)n, data);
}

static void *encode(gdImagePtr im, const char *type, int *size)
{
	if (strcmp(type, "image/png") == 0) {
		gdImageSaveAlpha(im, 1);
		return gdImagePngPtrEx(im, size, 6);
	}
	if (strcmp(type, "image/jpeg") == 0) {
		gdImageInterlace(im, 1);   /* progressive: a first look comes early on a slow line */
		return gdImageJpegPtr(im, size, 82);
	}
	return gdImageWebpPtrEx(im, size, 80);
}

enum kq_err uploads_image_versions(struct arena *a, const void *p, size_t n,
				   const int *max_widths, int nversions, struct upload_image *out)
{
	const char *type = uploads_sniff_image(p, n);
	if (!type)
		return KQ_ERR_UPLOAD_BAD_TYPE;
	int w = 0, h = 0;
	if (n > INT32_MAX || !uploads_image_dimensions(p, n, &w, &h) || w > UPLOAD_SIDE_MAX ||
	    h > UPLOAD_SIDE_MAX || (int64_t)w * h > UPLOAD_PIXELS_MAX)
		return KQ_ERR_UPLOAD_UNREADABLE;
	pthread_once(&gd_once, gd_setup);
	gdImagePtr src = decode(p, n, type);
	if (!src)
		return KQ_ERR_UPLOAD_UNREADABLE;
	/* The header said one size and the data another: believe neither. */
	if (gdImageSX(src) != w || gdImageSY(src) != h) {
		gdImageDestroy(src);
		return KQ_ERR_UPLOAD_UNREADABLE;
	}
	if (!gdImageTrueColor(src) && !gdImagePaletteToTrueColor(src)) {
		gdImageDestroy(src);
		return KQ_ERR_INTERNAL;
	}
	if (strcmp(type, "image/jpeg") == 0) {
		src = apply_orientation(src, jpeg_orientation(p, n));
		if (!src)
			return KQ_ERR_INTERNAL;
		w = gdImageSX(src);
		h = gdImageSY(src);
	}
	gdImageSetInterpolationMethod(src, GD_BILINEAR_FIXED);
	enum kq_err e = KQ_OK;
	for (int i = 0; i < nversions && e == KQ_OK; i++) {
		int tw = w, th = h;
		if (max_widths[i] > 0 && w > max_widths[i]) {
			tw = max_widths[i];
			th = (int)(((int64_t)h * tw + w / 2) / w);
			if (th < 1)
				th = 1;
		}
		gdImagePtr im = tw == w ? src : gdImageScale(src, (unsigned)tw, (unsigned)th);
		if (!im) {
			e = KQ_ERR_INTERNAL;
			break;
		}
		if (im != src) {
			gdImageAlphaBlending(im, 0);
			gdImageSaveAlpha(im, 1);
		}
		int size = 0;
		void *bytes = encode(im, type, &size);
		if (bytes && size > 0) {
			out[i].bytes = arena_memdup(a, bytes, (size_t)size);
			out[i].len = (size_t)size;
			out[i].content_type = type;
			out[i].width = gdImageSX(im);
			out[i].height = gdImageSY(im);
		} else {
			e = KQ_ERR_INTERNAL;
		}
		if (bytes)
			gdFree(bytes);
		if (im != src)
			gdImageDestroy(im);
	}
	gdImageDestroy(src);
	return e;
}

const void *uploads_demo_picture(struct arena *a, unsigned colour, size_t *out_len)
{
	gdImagePtr im = gdImageCreateTrueColor(900, 600);
	*out_len = 0;
	if (!im)
		return NULL;
	int ground = gdTrueColor(0xf4, 0xee, 0xe1);
	int fur = gdTrueColor((int)(colour >> 16) & 0xff, (int)(colour >> 8) & 0xff, (int)colour & 0xff);
	int dark = gdTrueColor(0x33, 0x2a, 0x22);
	int green = gdTrueColor(0x3c, 0x8d, 0x4f);
	gdImageFilledRectangle(im, 0, 0, 899, 599, ground);
	gdPoint left[3] = { { 330, 170 }, { 360, 60 }, { 430, 150 } };
	gdPoint right[3] = { { 570, 170 }, { 540, 60 }, { 470, 150 } };
	gdImageFilledPolygon(im, left, 3, fur);
	gdImageFilledPolygon(im, right, 3, fur);
	gdImageFilledEllipse(im, 450, 300, 360, 320, fur);
	gdImageFilledEllipse(im, 385, 270, 50, 60, green);
	gdImageFilledEllipse(im, 515, 270, 50, 60, green);
	gdImageFilledEllipse(im, 385, 270, 14, 44, dark);
	gdImageFilledEllipse(im, 515, 270, 14, 44, dark);
	gdPoint nose[3] = { { 435, 340 }, { 465, 340 }, { 450, 360 } };
	gdImageFilledPolygon(im, nose, 3, dark);
	gdImageSetThickness(im, 3);
	for (int k = -1; k <= 1; k++) {
		gdImageLine(im, 420, 360 + 12 * k, 300, 350 + 30 * k, dark);
		gdImageLine(im, 480, 360 + 12 * k, 600, 350 + 30 * k, dark);
	}
	gdImageFilledRectangle(im, 330, 445, 570, 470, green);   /* the green collar */
	int size = 0;
	void *png = gdImagePngPtrEx(im, &size, 6);
	gdImageDestroy(im);
	if (!png)
		return NULL;
	const void *out = arena_memdup(a, png, (size_t)size);
	gdFree(png);
	*out_len = (size_t)size;
	return out;
}
