/* contact.h: "Nous contacter": messages from the public to an organisation's team or to the platform admins
 *
 * A message goes out by mail (core/notify.c) to each recipient, with
 * Reply-To the sender, and leaves a row in contact_messages that the rate
 * limits count. INVARIANT(contact-limits): at most CONTACT_PER_WINDOW
 * messages per sender address and per client address in CONTACT_WINDOW
 * seconds, and CONTACT_PER_DAY per recipient (organisation or territory) in
 * a day; the counts and the new row share one write transaction, so two
 * requests at once cannot both pass the last free place. */
#ifndef KQ_CONTACT_H
#define KQ_CONTACT_H
#include "core.h"

#define CONTACT_NAME_MAX 100
#define CONTACT_SUBJECT_MAX 150
#define CONTACT_MESSAGE_MAX 5000
#define CONTACT_WINDOW 600
#define CONTACT_PER_WINDOW 3
#define CONTACT_PER_DAY 20

struct contact_input {
	int64_t org_id;            /* 0: the territory's form, to the platform admins */
	const char *name;          /* one line, 1..CONTACT_NAME_MAX characters */
	const char *email;         /* the sender's address: Reply-To of the mails */
	const char *subject;       /* one line, 1..CONTACT_SUBJECT_MAX characters */
	const char *message;       /* 10..CONTACT_MESSAGE_MAX characters */
	const char *honeypot;      /* a field people never see: filled means a robot */
	const char *client_ip;     /* the request's address; only its hash is kept */
};

/* Sends in to the owners and editors of in->org_id (a visible organisation),
 * or to the platform admins. A filled honeypot sends and writes nothing but
 * answers KQ_OK with *out_dropped true (a robot learns nothing). [out]
 * *out_dropped (may be NULL). fe: "name", "email", "subject", "message".
 * Errors: FORM_INVALID (fe), NOT_FOUND (no such visible organisation),
 * CONTACT_RATE_LIMITED (too many messages; nothing sent), CONTACT_NO_RECIPIENT,
 * INTERNAL. */
__attribute__((warn_unused_result))
enum kq_err contact_send(struct db *db, const struct contact_input *in, struct field_errors *fe,
			 bool *out_dropped);

#endif
