/* uploads.c: image uploads: sniffing by magic numbers, storage and retrieval */
#include "uploads.h"
#include "base/crypto.h"
#include "base/timefmt.h"
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
