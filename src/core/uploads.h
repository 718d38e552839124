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

/* ---- resizing (libgd) ----
 *
 * Images people send are decoded and written again, smaller when they are
 * wide: what is stored is our encoding, never the sender's file, so no
 * metadata (place, camera) and no trailing payload is kept. Before any
 * decoding, the size the header announces is checked, so that a small file
 * that would unpack into gigabytes of pixels (a "decompression bomb") is
 * refused without being decoded. A JPEG's EXIF orientation (a phone held
 * sideways) is applied before the EXIF is dropped, so photos stay upright. */
#define UPLOAD_SIDE_MAX 12000                  /* pixels, each side */
#define UPLOAD_PIXELS_MAX (40 * 1000 * 1000)   /* pixels in all */

/* The width and height the header of a PNG, JPEG or WebP announces.
 * false when the header cannot be read. */
bool uploads_image_dimensions(const void *p, size_t n, int *out_w, int *out_h);

/* One re-encoded version of an image; bytes in the arena given. */
struct upload_image {
	const void *bytes;
	size_t len;
	const char *content_type;   /* the type of the source: png stays png (transparency) */
	int width, height;
};

/* Decodes p once and writes nversions versions, each at most max_widths[i]
 * pixels wide (scaled down keeping the proportions, never up). [out]
 * out[0..nversions-1], bytes in a. Errors: UPLOAD_BAD_TYPE (not PNG, JPEG
 * or WebP by its bytes), UPLOAD_UNREADABLE (cannot be decoded, or larger
 * than UPLOAD_SIDE_MAX / UPLOAD_PIXELS_MAX), INTERNAL (no memory to encode). */
enum kq_err uploads_image_versions(struct arena *a, const void *p, size_t n,
				   const int *max_widths, int nversions, struct upload_image *out);

/* A PNG drawn for the demo territory (a cat's head in colour 0xRRGGBB on a
 * light ground, 900 x 600). [out] *out_len; bytes in a. */
const void *uploads_demo_picture(struct arena *a, unsigned colour, size_t *out_len);

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
