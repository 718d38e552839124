/* uploads.h: uploaded images: type sniffed from the bytes, size-limited, kept in the uploads table.
 *
 * The client's content type and file name are never looked at: what a file
 * is comes from its first bytes only (PNG, JPEG and WebP signatures). SVG is
 * refused because it is a document that may carry scripts, GIF because we do
 * not take it. Files are stored whole in the database so that every process
 * sharing it serves the same bytes; they are served with the sniffed type,
 * an ETag from their SHA-256 and X-Content-Type-Options: nosniff. */
#ifndef KQ_UPLOADS_H
#define KQ_UPLOADS_H
#include "core.h"

#define UPLOAD_IMAGE_MAX (2u * 1024u * 1024u)   /* 2 MiB: "2 Mo" in the catalog */

struct upload {
	int64_t id;
	const char *sha256;         /* hex */
	const char *content_type;   /* sniffed: image/png | image/jpeg | image/webp */
	const void *bytes;
	size_t size;
	int64_t created_at;
};

/* "image/png", "image/jpeg" or "image/webp" when the bytes start like one, else NULL. */
const char *uploads_sniff_image(const void *p, size_t n);

/* Checks an image upload: KQ_OK with [out] *out_type set, or
 * KQ_ERR_UPLOAD_TOO_LARGE (more than UPLOAD_IMAGE_MAX bytes) or
 * KQ_ERR_UPLOAD_BAD_TYPE (empty, or not PNG/JPEG/WebP by its bytes). */
enum kq_err uploads_check_image(const void *p, size_t n, const char **out_type);

/* Stores bytes whose type was already sniffed. Must run inside a
 * transaction. [out] out_id. uploaded_by may be 0. */
__attribute__((warn_unused_result))
enum db_status uploads_insert(struct db *db, const void *p, size_t n, const char *content_type,
			      int64_t uploaded_by, int64_t *out_id);
/* Deletes one upload (replaced logo). Must run inside a transaction. */
__attribute__((warn_unused_result))
enum db_status uploads_delete(struct db *db, int64_t id);

/* One upload with its bytes, copied into a. Errors: NOT_FOUND, INTERNAL. */
enum kq_err uploads_get(struct db *db, struct arena *a, int64_t id, struct upload *out);

#endif
